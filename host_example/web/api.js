// The JSON API of ft-host serve. Every call carries the session token, which the URL that
// ft-host serve printed brings in its fragment (#token=...; a fragment never reaches a server
// log) and which this tab then keeps in its storage.
const tokenKey = 'finetune-serve-token';

export function takeTokenFromUrl() {
  const match = /^#token=([0-9a-f]+)/.exec(location.hash);
  if (match) {
    localStorage.setItem(tokenKey, match[1]);
    history.replaceState(null, '', '#/trainings');
  }
  return localStorage.getItem(tokenKey);
}

function token() {
  return localStorage.getItem(tokenKey) || '';
}

// A failed call: `status` is the ABI's status name ("not_found", "invalid_input") or the
// server's ("unauthorized", "forbidden", "too_large"), `message` its message.
export class ApiError extends Error {
  constructor(httpStatus, body, text) {
    const error = body && body.error ? body.error : {status: `http_${httpStatus}`, message: text || 'no answer'};
    super(error.message);
    this.httpStatus = httpStatus;
    this.status = error.status;
    this.param = error.param || null;
  }
}

// Calls METHOD /api/PATH with a JSON body (or a Blob, sent as it is); resolves to the parsed
// JSON answer, or the text for anything else (the SVG chart).
export async function api(method, path, body) {
  const headers = {Authorization: `Bearer ${token()}`};
  let payload;
  if (body instanceof Blob) {
    payload = body;
    headers['Content-Type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(`/api${path}`, {method, headers, body: payload});
  } catch (e) {
    throw new ApiError(0, {error: {status: 'offline', message: 'ft-host serve does not answer (was it stopped?)'}});
  }
  const text = await response.text();
  const json = (response.headers.get('Content-Type') || '').startsWith('application/json') ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, json, text);
  return json ?? text;
}

// Follows /api/PATH as Server-Sent Events; `handlers` maps event names to functions of the
// parsed data, `onBroken` is called when the server refuses the stream. Returns the EventSource
// (close it when the page goes away).
export function follow(path, handlers, onBroken) {
  const separator = path.includes('?') ? '&' : '?';
  const source = new EventSource(`/api${path}${separator}token=${encodeURIComponent(token())}`);
  for (const [name, handle] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => handle(JSON.parse(event.data), event));
  }
  // The browser reconnects by itself after a dropped connection (the top bar says so meanwhile);
  // a refused one stays closed.
  const note = document.getElementById('connection');
  source.addEventListener('open', () => { note.textContent = ''; });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      if (onBroken) onBroken();
    } else {
      note.textContent = 'Reconnecting to ft-host serve…';
    }
  });
  return source;
}
