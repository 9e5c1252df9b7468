// The hyper-parameter table (name, value, auto or user, reason) of a plan and of a job, and the
// Hyper-parameters popup that shows a job's.
import {api} from './api.js';
import {errorBox, h} from './dom.js';
import {bytes, number} from './format.js';

function valueText(name, value) {
  if (name === 'estimated_memory_bytes' || name === 'memory_bytes') return `${number(value)} (${bytes(value)})`;
  if (name === 'estimated_seconds' && typeof value === 'number') return `${number(value, 3)} s`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : number(value, 5);
}

export function hyperparameterTable(hyperparameters) {
  const rows = Object.entries(hyperparameters).map(([name, entry]) =>
    h('tr', {'data-name': name},
      h('th', {scope: 'row'}, h('code', {text: name})),
      h('td', {class: 'value', text: valueText(name, entry.value)}),
      h('td', {}, h('span', {class: `badge source-${entry.source}`, text: entry.source})),
      h('td', {class: 'reason', text: entry.reason || ''})));
  return h('div', {class: 'table-scroll'},
    h('table', {class: 'hyperparameters'},
      h('thead', {}, h('tr', {}, ['Name', 'Value', 'Source', 'Reason'].map((t) => h('th', {scope: 'col', text: t})))),
      h('tbody', {}, rows)));
}

// Opens the popup with every hyper-parameter the job uses, fetched now.
export async function showHyperparameters(jobId) {
  const dialog = document.getElementById('hyperparameters-dialog');
  const body = document.getElementById('hyperparameters-body');
  document.getElementById('hyperparameters-title').textContent = `Hyper-parameters of ${jobId}`;
  body.replaceChildren(h('p', {class: 'muted', text: 'Loading…'}));
  if (!dialog.open) dialog.showModal();
  try {
    const answer = await api('GET', `/jobs/${encodeURIComponent(jobId)}/hyperparameters`);
    body.replaceChildren(
      h('p', {class: 'muted', text: '"auto": chosen by the plugin, with its reason; "user": set in the request.'}),
      hyperparameterTable(answer.hyperparameters));
  } catch (error) {
    const why = error.status === 'state' ? 'The hyper-parameters are known once the job has validated its files. ' : '';
    body.replaceChildren(h('p', {text: why}), errorBox(error));
  }
}
