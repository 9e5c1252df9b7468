// The Trainings tab: every job of the workspace, newest first, kept up to date by the
// server's event stream of ft_job_list.
import {follow} from '../api.js';
import {errorBox, h, statusBadge} from '../dom.js';
import {modelAndSuffix, number, time} from '../format.js';

const columns = ['Job', 'Model', 'Status', 'Created', 'Step', 'Trained tokens', 'Train loss', 'Valid loss'];

function jobRow(job) {
  const metrics = job.metrics || {};
  return h('tr', {'data-job-id': job.id, 'data-status': job.status},
    h('th', {scope: 'row'}, h('a', {href: `#/jobs/${job.id}`, class: 'job-link'}, h('code', {text: job.id}))),
    h('td', {text: modelAndSuffix(job), title: job.model}),
    h('td', {}, statusBadge(job.status)),
    h('td', {text: time(job.created_at)}),
    h('td', {class: 'number', text: number(metrics.step)}),
    h('td', {class: 'number', text: number(job.trained_tokens)}),
    h('td', {class: 'number', text: number(metrics.train_loss)}),
    h('td', {class: 'number', text: number(metrics.valid_loss)}));
}

function table(jobs) {
  if (jobs.length === 0) {
    return h('p', {class: 'empty'}, 'No trainings in this workspace yet. ', h('a', {href: '#/new', text: 'Start a fine-tune'}), '.');
  }
  return h('div', {class: 'table-scroll'},
    h('table', {id: 'trainings-table', class: 'list'},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col', text: c})))),
      h('tbody', {}, jobs.map(jobRow))));
}

// Redraws the list, keeping the keyboard focus on the job it was on.
function showList(body, jobs) {
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('tr');
  body.replaceChildren(table(jobs));
  if (focused) {
    const link = body.querySelector(`tr[data-job-id="${CSS.escape(focused.dataset.jobId)}"] a`);
    if (link) link.focus();
  }
}

export function render(main) {
  const body = h('div', {}, h('p', {class: 'muted', text: 'Loading…'}));
  main.append(h('section', {class: 'page'},
    h('div', {class: 'page-head'},
      h('h1', {text: 'Trainings'}),
      h('a', {href: '#/new', class: 'button primary', text: 'New fine-tune'})),
    body));
  const source = follow('/jobs/stream', {jobs: (list) => showList(body, list.data)},
    () => body.replaceChildren(errorBox({status: 'offline', message: 'Lost the connection to ft-host serve.'})));
  return () => source.close();
}
