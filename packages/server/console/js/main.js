// @ts-check
// The console's shell: sign in, then a hash router (#/{realm}/{section}/…?filters) over one
// view at a time. A view may return a function that stops its live refresh.
import { api, ApiError } from './api.js';
import { signIn, signOut } from './auth.js';
import { h, replace } from './dom.js';
import { clientsView } from './views/clients.js';
import { deliveriesView } from './views/deliveries.js';
import { doctorView } from './views/doctor.js';
import { eventsView } from './views/events.js';
import { groupsView } from './views/groups.js';
import { logoutsView } from './views/logouts.js';
import { realmsView } from './views/realms.js';
import { rolesView } from './views/roles.js';
import { sessionsView } from './views/sessions.js';
import { settingsView } from './views/settings.js';
import { usersView } from './views/users.js';

/**
 * @typedef {{ realm: string, rest: string[], params: URLSearchParams, el: HTMLElement, go: (hash: string) => void }} ViewContext
 * @typedef {(ctx: ViewContext) => Promise<(() => void) | void>} View
 */

/** @type {Array<[string, string, View]>} */
const SECTIONS = [
  ['sessions', 'Live sessions', sessionsView],
  ['logouts', 'Logouts', logoutsView],
  ['deliveries', 'Deliveries', deliveriesView],
  ['clients', 'Clients', clientsView],
  ['users', 'Users', usersView],
  ['roles', 'Roles', rolesView],
  ['groups', 'Groups', groupsView],
  ['events', 'Events', eventsView],
  ['doctor', 'Doctor', doctorView],
  ['settings', 'Realm settings', settingsView],
];

const view = /** @type {HTMLElement} */ (document.getElementById('view'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const realmSelect = /** @type {HTMLSelectElement} */ (document.getElementById('realm-select'));
/** @type {(() => void) | void} */
let stop;
/** @type {string[]} */
let realms = [];

/** @param {string} hash */
function go(hash) {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

function parseHash() {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query) };
}

/** @param {string} realm @param {string} section */
function drawNav(realm, section) {
  replace(
    nav,
    h('a', { href: '#/', class: section === '' ? 'active' : null }, 'Realms'),
    realm ? h('div', { class: 'nav-realm' }, realm) : null,
    realm
      ? SECTIONS.map(([id, label]) =>
          h(
            'a',
            {
              href: `#/${encodeURIComponent(realm)}/${id}`,
              class: id === section ? 'active' : null,
              'aria-current': id === section ? 'page' : null,
            },
            label,
          ),
        )
      : null,
  );
}

async function route() {
  if (typeof stop === 'function') stop();
  stop = undefined;
  const { parts, params } = parseHash();
  const [realm = '', section = '', ...rest] = parts;
  if (realm && !realms.includes(realm)) await loadRealms();
  realmSelect.value = realm;
  drawNav(realm, realm ? section || 'sessions' : '');
  const found = SECTIONS.find(([id]) => id === (section || 'sessions'));
  replace(view, h('p', { class: 'muted' }, 'Loading…'));
  try {
    if (!realm) stop = await realmsView({ realm, rest, params, el: view, go });
    else if (!realms.includes(realm))
      replace(view, h('h1', {}, 'No such realm'), h('p', {}, `There is no realm named ${realm}.`));
    else if (!found) replace(view, h('h1', {}, 'Not found'));
    else stop = await found[2]({ realm, rest, params, el: view, go });
  } catch (err) {
    showError(err);
  }
}

/** @param {unknown} err */
function showError(err) {
  const message = err instanceof Error ? err.message : String(err);
  const forbidden = err instanceof ApiError && err.status === 403;
  replace(
    view,
    h('h1', {}, forbidden ? 'Not allowed' : 'Something went wrong'),
    h(
      'p',
      { role: 'alert', class: 'error' },
      forbidden ? 'Your account does not have the admin role of the master realm.' : message,
    ),
    h('button', { type: 'button', onclick: () => location.reload() }, 'Reload'),
  );
}

async function loadRealms() {
  /** @type {Array<{ realm: string }>} */
  const list = await api('GET', '');
  realms = list.map((r) => r.realm);
  replace(
    realmSelect,
    h('option', { value: '' }, '—'),
    realms.map((r) => h('option', { value: r }, r)),
  );
}

async function start() {
  try {
    const tokens = await signIn();
    if (!tokens) return;
    const who = /** @type {HTMLElement} */ (document.getElementById('who'));
    who.textContent = tokens.username;
    const out = /** @type {HTMLButtonElement} */ (document.getElementById('sign-out'));
    out.hidden = false;
    out.addEventListener('click', signOut);
    await loadRealms();
    realmSelect.addEventListener('change', () =>
      go(realmSelect.value ? `#/${encodeURIComponent(realmSelect.value)}/${parseHash().parts[1] ?? 'sessions'}` : '#/'),
    );
    window.addEventListener('hashchange', () => void route());
    await route();
  } catch (err) {
    showError(err);
  }
}

void start();
