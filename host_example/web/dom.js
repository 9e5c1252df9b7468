// A small element builder: h('a', {href: '#/new', class: 'button'}, 'New fine-tune'). Text is
// always set as text, never parsed as HTML, so a job's data cannot inject markup.
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = value;
    else if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key in element && typeof value !== 'string') element[key] = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// A box that says what went wrong: the API's status and message, kept with its line breaks.
export function errorBox(error) {
  const status = error.status ? `${error.status}: ` : '';
  return h('div', {class: 'error-box', role: 'alert'}, h('strong', {text: status}), h('span', {class: 'message', text: error.message}));
}

// A label-value list (<dl>); rows whose value is null or undefined are left out.
export function facts(rows) {
  const list = h('dl', {class: 'facts'});
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === '') continue;
    list.append(h('dt', {text: label}), h('dd', {}, value));
  }
  return list;
}

// A job's status as a coloured label: "validating files", "running", "succeeded", ...
export function statusBadge(status) {
  return h('span', {class: `badge status-${status}`, text: String(status).replace('_', ' ')});
}
