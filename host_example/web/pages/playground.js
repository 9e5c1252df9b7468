// The Playground: a prompt, or a chat of messages, completed by a succeeded job's model or a
// checkpoint folder (ft_generate).
import {api} from '../api.js';
import {errorBox, h} from '../dom.js';
import {modelAndSuffix, number, time} from '../format.js';

const folderChoice = '__folder__';

function messageRow(role = 'user', content = '') {
  const row = h('li', {class: 'message-row'},
    h('select', {'aria-label': 'Role', class: 'role'}, ['system', 'user', 'assistant'].map((r) => h('option', {value: r, text: r, selected: r === role}))),
    h('textarea', {'aria-label': 'Content', class: 'content', rows: '2', text: content}),
    h('button', {type: 'button', class: 'quiet', text: 'Remove', onclick: () => row.remove()}));
  return row;
}

function setting(id, label, value, help) {
  return h('div', {class: 'field'}, h('label', {for: id, text: label}),
    h('input', {id, type: 'text', inputmode: 'decimal', value, autocomplete: 'off'}), h('p', {class: 'help', text: help}));
}

function numberOf(id) {
  const text = document.getElementById(id).value.trim();
  return text === '' ? undefined : Number.isNaN(Number(text)) ? text : Number(text);
}

function resultCard(request, answer) {
  const shown = request.prompt !== undefined ? request.prompt : request.messages.map((m) => `${m.role}: ${m.content}`).join('\n');
  return h('article', {class: 'card generation'},
    h('p', {class: 'muted', text: `${time(Date.now() / 1000)} · ${request.model}`}),
    h('pre', {class: 'prompt', text: shown}),
    h('pre', {class: 'completion', text: answer.text}),
    h('p', {class: 'muted', text: `${number(answer.tokens)} tokens · finish reason: ${answer.finish_reason}`}));
}

export function render(main, {parameter: chosenJob}) {
  const model = h('select', {id: 'playground-model'}, h('option', {value: folderChoice, text: 'A checkpoint folder…'}));
  const folder = h('input', {id: 'playground-folder', type: 'text', placeholder: 'a Hugging Face checkpoint folder', 'aria-label': 'Checkpoint folder', spellcheck: 'false'});
  const prompt = h('textarea', {id: 'prompt', rows: '4', placeholder: 'copy: a b c d ='});
  const messages = h('ol', {id: 'messages', class: 'messages'}, messageRow());
  const promptMode = h('input', {type: 'radio', name: 'mode', id: 'mode-prompt', value: 'prompt', checked: true});
  const chatMode = h('input', {type: 'radio', name: 'mode', id: 'mode-messages', value: 'messages'});
  const promptBox = h('div', {class: 'field'}, h('label', {for: 'prompt', text: 'Prompt'}), prompt);
  const chatBox = h('div', {class: 'field', hidden: true}, h('span', {class: 'label', text: 'Messages'}), messages,
    h('button', {type: 'button', text: 'Add a message', onclick: () => messages.append(messageRow())}));
  const generate = h('button', {id: 'generate-button', type: 'submit', class: 'primary', text: 'Generate'});
  const output = h('div', {id: 'generation-output', 'aria-live': 'polite'});

  const showMode = () => {
    promptBox.hidden = !promptMode.checked;
    chatBox.hidden = promptMode.checked;
  };
  const showFolder = () => { folder.hidden = model.value !== folderChoice; };
  promptMode.addEventListener('change', showMode);
  chatMode.addEventListener('change', showMode);
  model.addEventListener('change', showFolder);

  function request() {
    const r = {model: model.value === folderChoice ? folder.value.trim() : model.value};
    if (promptMode.checked) r.prompt = prompt.value;
    else r.messages = [...messages.children].map((row) => ({role: row.querySelector('.role').value, content: row.querySelector('.content').value}));
    for (const [key, id] of [['max_tokens', 'max-tokens'], ['temperature', 'temperature'], ['top_p', 'top-p'], ['seed', 'generation-seed']]) {
      const value = numberOf(id);
      if (value !== undefined) r[key] = value;
    }
    return r;
  }

  async function run(event) {
    event.preventDefault();
    const r = request();
    generate.disabled = true;
    generate.textContent = 'Generating…';
    try {
      output.prepend(resultCard(r, await api('POST', '/generate', r)));
    } catch (error) {
      output.prepend(errorBox(error));
    }
    generate.disabled = false;
    generate.textContent = 'Generate';
  }

  main.append(h('section', {class: 'page'},
    h('div', {class: 'page-head'}, h('h1', {text: 'Playground'})),
    h('form', {class: 'card form', onsubmit: run},
      h('div', {class: 'field'}, h('label', {for: 'playground-model', text: 'Model'}), h('div', {class: 'path-input'}, model, folder)),
      h('fieldset', {}, h('legend', {text: 'Input'}),
        h('div', {class: 'row'}, h('label', {}, promptMode, ' Prompt'), h('label', {}, chatMode, ' Messages (chat)'))),
      promptBox, chatBox,
      h('div', {class: 'row'},
        setting('max-tokens', 'Max tokens', '64', '1 to 4096'),
        setting('temperature', 'Temperature', '0', '0 is greedy: the same answer every time'),
        setting('top-p', 'Top p', '1', 'sample from the likeliest tokens that add up to this'),
        setting('generation-seed', 'Seed', '', 'empty: random')),
      h('div', {class: 'actions'}, generate)),
    output));

  api('GET', '/jobs').then((list) => {
    const succeeded = list.data.filter((job) => job.status === 'succeeded');  // newest first
    model.prepend(...succeeded.map((job) => h('option', {value: job.id, text: `${job.id} · ${modelAndSuffix(job)} · ${time(job.finished_at)}`})));
    const chosen = succeeded.some((job) => job.id === chosenJob) ? chosenJob : null;
    model.value = chosen || (succeeded.length ? succeeded[0].id : folderChoice);
    showFolder();
  }, (error) => output.prepend(errorBox(error)));
  showFolder();
  return null;
}
