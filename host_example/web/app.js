// The web app of ft-host serve: a page per route of the URL's fragment, the theme, the token.
import {api, takeTokenFromUrl} from './api.js';
import {h} from './dom.js';
import * as jobPage from './pages/job.js';
import * as newFinetunePage from './pages/new_finetune.js';
import * as playgroundPage from './pages/playground.js';
import * as trainingsPage from './pages/trainings.js';

// "#/jobs/ftjob-..." -> the job page with its id; unknown fragments show the Trainings.
const routes = [
  [/^#\/jobs\/([^/]+)$/, jobPage, 'trainings'],
  [/^#\/new$/, newFinetunePage, 'new'],
  [/^#\/playground(?:\/([^/]+))?$/, playgroundPage, 'playground'],
  [/^/, trainingsPage, 'trainings'],
];

let session = null;
let leavePage = null;

function route() {
  const main = document.getElementById('main');
  if (leavePage) leavePage();
  leavePage = null;
  const [pattern, page, tab] = routes.find(([pattern]) => pattern.test(location.hash));
  const parameter = pattern.exec(location.hash)[1];
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.page === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  leavePage = page.render(main, {session, parameter: parameter && decodeURIComponent(parameter)}) || null;
}

function applyTheme(theme) {
  const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  const button = document.getElementById('theme-button');
  button.textContent = dark ? 'Light' : 'Dark';
  button.setAttribute('aria-pressed', String(dark));
}

function setUpTheme() {
  applyTheme(localStorage.getItem('finetune-theme'));
  document.getElementById('theme-button').addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('finetune-theme', next);
    applyTheme(next);
  });
}

function showNoSession(error) {
  document.getElementById('main').replaceChildren(h('section', {class: 'card'},
    h('h1', {text: 'This page needs the URL that ft-host serve printed'}),
    h('p', {text: 'Every call to the server carries the session token from that URL, and the token changes ' +
      'each time ft-host serve starts. Open the URL from its output (it ends in #token=…).'}),
    h('p', {class: 'muted', text: error.message})));
}

async function start() {
  setUpTheme();
  takeTokenFromUrl();
  try {
    session = await api('GET', '/session');
  } catch (error) {
    showNoSession(error);
    return;
  }
  window.addEventListener('hashchange', route);
  route();
}

start();
