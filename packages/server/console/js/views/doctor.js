// @ts-check
// The doctor check of clients' back-channel URLs: DNS, connect, TLS, and the answer to a logout
// token for a session that does not exist (a correct receiver answers 200).
import { api, ApiError, realmPath } from '../api.js';
import { h, replace, table } from '../dom.js';

/**
 * @typedef {{ ok: boolean, detail: string }} Check
 * @typedef {{ clientId: string, url: string, resolve: Check, connect: Check, tls: Check | null, logoutToken: Check, ok: boolean }} DoctorResult
 */

/** @param {Check | null} c */
function cell(c) {
  if (c === null) return h('td', { class: 'muted' }, 'plain http');
  return h(
    'td',
    { class: c.ok ? 'pass' : 'fail wrap' },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, c.ok ? '✓ ' : '✗ '),
    c.detail,
  );
}

/** @param {DoctorResult} r */
export function doctorRow(r) {
  return h(
    'tr',
    { 'data-client': r.clientId, class: r.ok ? 'ok' : 'bad' },
    h('td', { class: 'name' }, r.clientId),
    h('td', { class: 'wrap' }, h('code', {}, r.url)),
    cell(r.resolve),
    cell(r.connect),
    cell(r.tls),
    cell(r.logoutToken),
    h('td', {}, h('span', { class: `badge ${r.ok ? 'delivered' : 'failed'}` }, r.ok ? 'healthy' : 'broken')),
  );
}

/** One client's checks as a list, for the client page. @param {DoctorResult} r */
export function doctorList(r) {
  /** @type {Array<[string, Check | null]>} */
  const checks = [
    ['DNS', r.resolve],
    ['Connect', r.connect],
    ['TLS', r.tls],
    ['Logout token', r.logoutToken],
  ];
  return h(
    'div',
    { class: `doctor ${r.ok ? 'ok' : 'bad'}`, 'data-client': r.clientId },
    h(
      'p',
      {},
      h('span', { class: `badge ${r.ok ? 'delivered' : 'failed'}` }, r.ok ? 'healthy' : 'broken'),
      ' ',
      h('code', {}, r.url),
    ),
    h(
      'dl',
      {},
      checks.flatMap(([name, c]) => [
        h('dt', {}, name),
        c === null
          ? h('dd', { class: 'muted' }, 'plain http')
          : h('dd', { class: c.ok ? 'pass' : 'fail' }, c.ok ? '✓ ' : '✗ ', c.detail),
      ]),
    ),
  );
}

export const DOCTOR_HEADERS = ['Client', 'Back-channel URL', 'DNS', 'Connect', 'TLS', 'Logout token', 'Result'];

/** @param {string} realm @param {string} id */
export async function runDoctor(realm, id) {
  /** @type {DoctorResult} */
  const result = await api('GET', `${realmPath(realm)}/sundown/clients/${encodeURIComponent(id)}/doctor`);
  return result;
}

/** @type {import('../main.js').View} */
export async function doctorView({ realm, el }) {
  /** @type {Array<{ id: string, clientId: string, attributes: Record<string, string> }>} */
  const clients = (await api('GET', `${realmPath(realm)}/clients?max=1000`)).filter(
    (/** @type {{ attributes: Record<string, string> }} */ c) => c.attributes['backchannel.logout.url'],
  );
  const body = h('div', {});
  const run = async () => {
    button.disabled = true;
    replace(body, h('p', { class: 'muted' }, `Checking ${clients.length} client(s)…`));
    const rows = [];
    for (const c of clients) {
      try {
        rows.push(doctorRow(await runDoctor(realm, c.id)));
      } catch (err) {
        rows.push(
          h(
            'tr',
            { class: 'bad' },
            h('td', {}, c.clientId),
            h('td', { colspan: 6, class: 'fail' }, err instanceof ApiError ? err.message : String(err)),
          ),
        );
      }
      replace(body, table(DOCTOR_HEADERS, rows, ''));
    }
    button.disabled = false;
  };
  const button = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', class: 'primary', onclick: run }, 'Check all back-channel URLs')
  );
  replace(
    el,
    h('h1', {}, 'Doctor'),
    h(
      'p',
      { class: 'lead' },
      'Checks each client’s back-channel logout URL the way a real logout would reach it, and sends it a signed logout token for a session that does not exist: a correct receiver answers 200.',
    ),
    clients.length ? h('div', { class: 'toolbar' }, button) : null,
    clients.length ? body : h('p', { class: 'empty' }, 'No client of this realm has a back-channel logout URL.'),
  );
}
