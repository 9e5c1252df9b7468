// New fine-tune: the model folder and data files (paths on this machine, or files uploaded into
// the workspace), the four hyper-parameters of the request, each "auto" unless set; Plan shows
// every resolved value with its reason, the data statistics and the estimate, and only then
// Start runs exactly that plan.
import {api} from '../api.js';
import {errorBox, facts, h} from '../dom.js';
import {bytes, duration, number} from '../format.js';
import {hyperparameterTable} from '../hyperparameters.js';

const userHyperparameters = [
  ['n_epochs', 'Epochs', 'passes over the training file'],
  ['batch_size', 'Batch size', 'examples per optimizer step'],
  ['learning_rate_multiplier', 'Learning-rate multiplier', 'times the pre-training rate for the model\'s size'],
  ['prompt_loss_weight', 'Prompt loss weight', 'how much prompt tokens count, 0 to 1'],
];

function field(id, label, input, help) {
  return h('div', {class: 'field'},
    h('label', {for: id, text: label}), input, help ? h('p', {class: 'help', id: `${id}-help`, text: help}) : null);
}

// "auto" stays "auto", a number becomes a number, anything else goes as written: the plugin's
// checks then name the parameter and what it allows.
function requestValue(text) {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'auto') return 'auto';
  return Number.isNaN(Number(trimmed)) ? trimmed : Number(trimmed);
}

// A text input for a path, with a button that uploads a file of this computer into the
// workspace and fills in where it landed. Returns the input and the element that holds both.
function pathInput(id, placeholder, status) {
  const input = h('input', {id, type: 'text', placeholder, autocomplete: 'off', spellcheck: 'false'});
  const picker = h('input', {type: 'file', id: `${id}-picker`, class: 'visually-hidden', tabindex: '-1', accept: '.jsonl,.json,.txt'});
  const button = h('button', {type: 'button', id: `${id}-upload`, text: 'Upload…', onclick: () => picker.click()});
  picker.addEventListener('change', async () => {
    const file = picker.files[0];
    if (!file) return;
    status.replaceChildren(h('span', {class: 'muted', text: `Uploading ${file.name}…`}));
    try {
      const answer = await api('POST', `/uploads?name=${encodeURIComponent(file.name)}`, file);
      input.value = answer.path;
      input.dispatchEvent(new Event('input', {bubbles: true}));
      status.replaceChildren(h('span', {class: 'muted', text: `Uploaded ${file.name} to ${answer.path}`}));
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
    picker.value = '';
  });
  return {input, element: h('div', {class: 'path-input'}, input, button, picker)};
}

function planView(plan) {
  const m = plan.model || {};
  const data = (d) => (d ? `${number(d.examples)} examples, ${number(d.total_tokens)} tokens (${number(d.prompt_tokens)} prompt, ${number(d.completion_tokens)} completion); per example ${number(d.min_tokens)} to ${number(d.max_tokens)}, median ${number(d.median_tokens)}, 95% within ${number(d.p95_tokens)}` : null);
  const e = plan.estimate || {};
  return h('section', {id: 'plan-result', class: 'card'},
    h('h2', {text: 'The plan'}),
    facts([
      ['Model', [m.architecture, `${number(m.parameters)} parameters`, `context ${number(m.context_length)}`,
        m.pretrained ? 'pretrained' : 'trained from scratch'].filter(Boolean).join(', ')],
      ['Device', plan.device],
      ['Training data', data(plan.data && plan.data.training)],
      ['Validation data', data(plan.data && plan.data.validation)],
      ['Chat template', plan.chat_template ? `${plan.chat_template.used}: ${plan.chat_template.reason}` : null],
      ['Estimate', `${number(e.total_steps)} steps, ${number(e.total_tokens)} tokens, ${bytes(e.memory_bytes)} of memory, ${e.seconds === null ? 'time unknown' : `about ${duration(e.seconds)}`}`],
    ]),
    (plan.warnings || []).length ? h('ul', {class: 'warnings'}, plan.warnings.map((w) => h('li', {text: w}))) : null,
    h('h3', {text: 'Hyper-parameters'}),
    h('p', {class: 'muted', text: '"auto": chosen by the plugin, with its reason; "user": set above.'}),
    hyperparameterTable(plan.hyperparameters));
}

export function render(main, {session}) {
  const uploadStatus = {training: h('div', {class: 'upload-status'}), validation: h('div', {class: 'upload-status'})};
  const inputs = {
    model: h('input', {id: 'model', type: 'text', placeholder: 'a Hugging Face folder, or a preset: tiny-llama', autocomplete: 'off', spellcheck: 'false', required: true}),
    method: h('select', {id: 'method'}, ['auto', 'full', 'lora'].map((m) => h('option', {value: m, text: m}))),
    suffix: h('input', {id: 'suffix', type: 'text', placeholder: 'optional, e.g. support-bot', autocomplete: 'off'}),
    seed: h('input', {id: 'seed', type: 'text', inputmode: 'numeric', placeholder: 'random', autocomplete: 'off'}),
  };
  const trainingPath = pathInput('training-file', 'a JSON Lines file on this machine', uploadStatus.training);
  const validationPath = pathInput('validation-file', 'optional', uploadStatus.validation);
  const hyper = Object.fromEntries(userHyperparameters.map(([name]) =>
    [name, h('input', {id: name, type: 'text', value: 'auto', autocomplete: 'off', 'aria-describedby': `${name}-help`})]));
  const planButton = h('button', {id: 'plan-button', type: 'submit', class: 'primary', text: 'Plan'});
  const startButton = h('button', {id: 'start-button', type: 'button', text: 'Start', disabled: true});
  const outcome = h('div', {id: 'plan-outcome', 'aria-live': 'polite'});
  let plan = null;

  function request() {
    const r = {model: inputs.model.value.trim(), training_file: trainingPath.input.value.trim(), method: inputs.method.value,
      hyperparameters: Object.fromEntries(Object.entries(hyper).map(([k, input]) => [k, requestValue(input.value)]))};
    const validation = validationPath.input.value.trim();
    if (validation) r.validation_file = validation;
    if (inputs.suffix.value.trim()) r.suffix = inputs.suffix.value.trim();
    if (inputs.seed.value.trim()) r.seed = requestValue(inputs.seed.value);
    return r;
  }

  async function makePlan(event) {
    event.preventDefault();
    plan = null;
    startButton.disabled = true;
    planButton.disabled = true;
    outcome.replaceChildren(h('p', {class: 'muted', text: 'Planning: reading the model and tokenizing the data…'}));
    try {
      plan = await api('POST', '/plan', request());
      outcome.replaceChildren(planView(plan));
      startButton.disabled = false;
    } catch (error) {
      outcome.replaceChildren(errorBox(error));
    }
    planButton.disabled = false;
  }

  // Runs what was planned: a seed the plan drew is passed on, so the job is that plan exactly.
  async function startJob() {
    const r = request();
    if (r.seed === undefined && plan.hyperparameters.seed) r.seed = plan.hyperparameters.seed.value;
    startButton.disabled = true;
    try {
      const job = await api('POST', '/jobs', r);
      location.hash = `#/jobs/${job.id}`;
    } catch (error) {
      outcome.prepend(errorBox(error));
      startButton.disabled = false;
    }
  }
  startButton.addEventListener('click', startJob);

  const form = h('form', {id: 'new-finetune-form', class: 'card form', onsubmit: makePlan, oninput: () => {
    if (plan) outcome.prepend(h('p', {class: 'stale', text: 'The form changed since this plan: plan again to start.'}));
    plan = null;
    startButton.disabled = true;
  }},
    field('model', 'Model', inputs.model, `A folder inside ${session.folders.join(', ')}, or an architecture preset trained from scratch (tiny-llama, tiny-gpt2).`),
    field('training-file', 'Training file', trainingPath.element, 'Prompt/completion or chat examples, one JSON object a line (docs/data.md).'),
    uploadStatus.training,
    field('validation-file', 'Validation file', validationPath.element, 'Optional: evaluated during training.'),
    uploadStatus.validation,
    h('div', {class: 'row'}, field('method', 'Method', inputs.method), field('suffix', 'Suffix', inputs.suffix), field('seed', 'Seed', inputs.seed)),
    h('fieldset', {},
      h('legend', {text: 'Hyper-parameters ("auto", or a value)'}),
      h('div', {class: 'row'}, userHyperparameters.map(([name, label, help]) => field(name, label, hyper[name], help)))),
    h('div', {class: 'actions'}, planButton, startButton,
      h('span', {class: 'muted', text: `Uploads go to ${session.uploads} (at most ${bytes(session.max_upload_bytes)}).`})));
  main.append(h('section', {class: 'page'}, h('div', {class: 'page-head'}, h('h1', {text: 'New fine-tune'})), form, outcome));
  inputs.model.focus();
  return null;
}
