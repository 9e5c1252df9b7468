// A job: its status and progress bar with the time left, the loss and learning-rate chart that
// grows while it trains, its facts and files, its events; Cancel, Resume, Hyper-parameters and
// Playground buttons. Everything follows the server's event stream of the job.
import {api, follow} from '../api.js';
import {errorBox, facts, h, statusBadge} from '../dom.js';
import {duration, finalStatuses, modelAndSuffix, number, time} from '../format.js';
import {showHyperparameters} from '../hyperparameters.js';

const chartInterval = 2000;  // ms between chart redraws while metrics arrive

function progressView(progress) {
  const total = progress.total_steps || 0;
  const parts = [];
  if (total > 0) parts.push(`step ${number(progress.step)} / ${number(total)}`);
  if (progress.n_epochs > 0) parts.push(`epoch ${Math.max(progress.epoch, 1)} / ${progress.n_epochs}`);
  if (progress.train_loss !== null) parts.push(`loss ${number(progress.train_loss)}`);
  if (progress.tokens_per_second !== null) parts.push(`${number(Math.round(progress.tokens_per_second))} tokens/s`);
  if (progress.elapsed_seconds > 0) parts.push(`${duration(progress.elapsed_seconds)} spent`);
  if (progress.eta_seconds !== null && !finalStatuses.has(progress.status)) parts.push(`about ${duration(progress.eta_seconds)} left`);
  const percent = total > 0 ? Math.round((100 * progress.step) / total) : 0;
  const fill = h('div', {class: 'progress-fill'});
  fill.style.width = `${percent}%`;  // through the CSSOM: the page's policy forbids style attributes
  return [
    h('div', {class: 'progress-track', role: 'progressbar', 'aria-label': 'Training progress',
      'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(percent)}, fill),
    h('p', {id: 'progress-text', class: 'muted', text: `${percent}% · ${parts.join(' · ') || 'waiting to start'}`}),
  ];
}

function jobFacts(job, session) {
  const list = (paths) => (paths && paths.length ? h('ul', {class: 'plain'}, paths.map((p) => h('li', {}, h('code', {text: p})))) : null);
  const code = (text) => (text ? h('code', {text}) : null);
  const metrics = job.metrics;
  return facts([
    ['Model', code(job.model)],
    ['Method', job.method],
    ['Training file', code(job.training_file)],
    ['Validation file', code(job.validation_file)],
    ['Created', time(job.created_at)],
    ['Started', job.started_at ? time(job.started_at) : null],
    ['Finished', job.finished_at ? time(job.finished_at) : null],
    ['Trained tokens', number(job.trained_tokens)],
    ['Seed', job.seed === null ? null : String(job.seed)],
    ['Hyper-parameters', Object.entries(job.hyperparameters || {}).map(([k, v]) => `${k} ${number(v)}`).join(', ')],
    ['Latest metrics', metrics ? `step ${number(metrics.step)}: train loss ${number(metrics.train_loss)}, valid loss ${number(metrics.valid_loss)}, valid token accuracy ${number(metrics.valid_mean_token_accuracy)}` : null],
    ['Fine-tuned model', code(job.fine_tuned_model)],
    ['Result files', list(job.result_files)],
    ['Job folder', code(`${session.workspace}/jobs/${job.id}`)],
    ['Error', job.error ? h('pre', {class: 'error-text', text: `${job.error.code}: ${job.error.message}`}) : null],
  ]);
}

function eventItem(event) {
  return h('li', {class: `event level-${event.level}`, 'data-seq': String(event.seq)},
    h('time', {text: time(event.created_at)}), ' ', h('span', {text: event.message}));
}

// Draws the server's SVG chart (svg_chart.cpp, the same as `ft-host plot`) into `box`.
async function drawChart(box, id) {
  try {
    const svg = await api('GET', `/jobs/${encodeURIComponent(id)}/chart.svg`);
    const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
    parsed.setAttribute('role', 'img');
    parsed.setAttribute('aria-label', 'Train loss, validation loss and learning rate over the optimizer steps');
    box.replaceChildren(document.importNode(parsed, true));
  } catch (error) {
    box.replaceChildren(errorBox(error));
  }
}

export function render(main, {session, parameter: id}) {
  const status = h('span', {id: 'job-status'});
  const subtitle = h('p', {class: 'muted'});
  const progress = h('div', {id: 'progress'});
  const chart = h('div', {id: 'chart', class: 'chart'}, h('p', {class: 'muted', text: 'The chart appears with the first step.'}));
  const details = h('div', {id: 'details'});
  const metricsCount = h('span', {class: 'muted'});
  const events = h('ol', {id: 'events', class: 'events'});
  const notice = h('div', {id: 'notice'});
  const buttons = {
    hyperparameters: h('button', {id: 'hyperparameters-button', type: 'button', text: 'Hyper-parameters', onclick: () => showHyperparameters(id)}),
    cancel: h('button', {id: 'cancel-button', type: 'button', class: 'danger', text: 'Cancel', onclick: () => act('cancel')}),
    resume: h('button', {id: 'resume-button', type: 'button', text: 'Resume', onclick: () => act('resume')}),
    playground: h('a', {id: 'playground-link', class: 'button', href: `#/playground/${id}`, text: 'Try in the Playground'}),
  };
  main.append(h('section', {class: 'page'},
    h('div', {class: 'page-head'}, h('h1', {}, 'Job ', h('code', {text: id})), status),
    subtitle,
    h('div', {class: 'actions'}, Object.values(buttons)),
    notice,
    h('section', {class: 'card'}, h('h2', {text: 'Progress'}), progress),
    h('section', {class: 'card'}, h('h2', {text: 'Loss and learning rate'}), chart),
    h('div', {class: 'columns'},
      h('section', {class: 'card'}, h('h2', {text: 'Details and files'}), details),
      h('section', {class: 'card'}, h('h2', {}, 'Events ', metricsCount), events))));

  let lastSeq = 0, metrics = 0, chartDirty = false, drawing = false, source = null;
  const redraw = async () => {
    chartDirty = false;
    drawing = true;
    await drawChart(chart, id);
    drawing = false;
  };
  const chartTimer = setInterval(() => {
    if (chartDirty && !drawing) redraw();
  }, chartInterval);

  function showJob(job) {
    status.replaceChildren(statusBadge(job.status));
    status.dataset.status = job.status;
    subtitle.textContent = `${modelAndSuffix(job)} · created ${time(job.created_at)}`;
    details.replaceChildren(jobFacts(job, session));
    const resumable = job.status === 'cancelled' || (job.status === 'failed' && job.error && job.error.code === 'interrupted');
    buttons.cancel.disabled = finalStatuses.has(job.status);
    buttons.resume.disabled = !resumable;
    buttons.playground.hidden = job.status !== 'succeeded';
  }

  function showEvent(event) {
    lastSeq = event.seq;
    if (event.type === 'metrics') {
      metrics++;
      metricsCount.textContent = `(${number(metrics)} metrics events, one per step, in the chart)`;
      chartDirty = true;
    } else {
      const atBottom = events.scrollTop + events.clientHeight >= events.scrollHeight - 4;
      events.append(eventItem(event));
      if (atBottom) events.scrollTop = events.scrollHeight;
    }
  }

  function followJob() {
    if (source) source.close();
    source = follow(`/jobs/${encodeURIComponent(id)}/stream?after=${lastSeq}`, {
      event: showEvent,
      job: showJob,
      progress: (p) => progress.replaceChildren(...progressView(p)),
      end: () => {
        source.close();
        redraw();
      },
    }, () => api('GET', `/jobs/${encodeURIComponent(id)}`).then(
      () => notice.replaceChildren(errorBox({status: 'offline', message: `Lost the updates of ${id}; reload the page.`})),
      (error) => notice.replaceChildren(errorBox(error))));
  }

  async function act(what) {
    notice.replaceChildren();
    try {
      const job = await api('POST', `/jobs/${encodeURIComponent(id)}/${what}`);
      showJob(job);
      if (what === 'resume') followJob();
    } catch (error) {
      notice.replaceChildren(errorBox(error));
    }
  }

  followJob();
  return () => {
    clearInterval(chartTimer);
    if (source) source.close();
  };
}
