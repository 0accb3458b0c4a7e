// @ts-check
// Events with Keycloak's filters: type, client, user, date range, paging.
import { api, realmPath } from '../api.js';
import { config } from '../auth.js';
import { h, replace, short, table, time } from '../dom.js';

const PAGE = 50;

/**
 * @typedef {{ time: number, type: string, clientId?: string, userId?: string, sessionId?: string, ipAddress?: string, error?: string, details?: Record<string, unknown> }} RealmEvent
 */

/**
 * An event's details as labelled fields (one level; a nested value as compact JSON).
 * @param {Record<string, unknown>} details
 */
function facts(details) {
  const entries = Object.entries(details);
  if (entries.length === 0) return null;
  return h(
    'dl',
    { class: 'facts' },
    entries.map(([name, value]) => h('div', {}, h('dt', {}, name), h('dd', {}, fact(name, value)))),
  );
}

/**
 * One detail's value: a time for `…At` epoch milliseconds (nextAttemptAt), text as it is, anything
 * else as compact JSON.
 * @param {string} name
 * @param {unknown} value
 */
function fact(name, value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  if (/At$/.test(name) && typeof value === 'number') return time(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The whole event as the API answers it (full ids included), closed until asked for.
 * @param {RealmEvent} e
 */
function raw(e) {
  return h('details', { class: 'raw' }, h('summary', {}, 'Raw JSON'), h('pre', {}, JSON.stringify(e, null, 2)));
}

/** @type {import('../main.js').View} */
export async function eventsView({ realm, params, el, go }) {
  const first = Math.max(0, Number(params.get('first') ?? '0') || 0);
  const query = new URLSearchParams(params);
  query.set('first', String(first));
  query.set('max', String(PAGE));
  /** @type {RealmEvent[]} */
  const events = await api('GET', `${realmPath(realm)}/events?${query}`);

  const type = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { name: 'type' },
      h('option', { value: '' }, 'Any type'),
      config.eventTypes.map((t) => h('option', { value: t, selected: t === params.get('type') }, t)),
    )
  );
  const client = /** @type {HTMLInputElement} */ (
    h('input', { name: 'client', placeholder: 'clientId', value: params.get('client') ?? '' })
  );
  const user = /** @type {HTMLInputElement} */ (
    h('input', { name: 'user', placeholder: 'User id', value: params.get('user') ?? '' })
  );
  const from = /** @type {HTMLInputElement} */ (
    h('input', { name: 'dateFrom', type: 'date', value: params.get('dateFrom') ?? '' })
  );
  const to = /** @type {HTMLInputElement} */ (
    h('input', { name: 'dateTo', type: 'date', value: params.get('dateTo') ?? '' })
  );
  /** @param {number} at */
  const hash = (at) => {
    const q = new URLSearchParams();
    for (const [k, v] of [
      ['type', type.value],
      ['client', client.value.trim()],
      ['user', user.value.trim()],
      ['dateFrom', from.value],
      ['dateTo', to.value],
    ])
      if (v) q.set(String(k), String(v));
    if (at > 0) q.set('first', String(at));
    return `#/${encodeURIComponent(realm)}/events${q.size ? `?${q}` : ''}`;
  };

  replace(
    el,
    h('h1', {}, 'Events'),
    h(
      'form',
      { class: 'filters', onsubmit: (/** @type {Event} */ e) => (e.preventDefault(), go(hash(0))) },
      h('label', {}, 'Type ', type),
      h('label', {}, 'Client ', client),
      h('label', {}, 'User ', user),
      h('label', {}, 'From ', from),
      h('label', {}, 'To ', to),
      h('button', { type: 'submit' }, 'Apply'),
    ),
    table(
      ['Time', 'Type', 'Client', 'User', 'Session', 'IP', 'Error and details'],
      events.map((e) =>
        h(
          'tr',
          { class: e.error ? 'bad' : '' },
          h('td', {}, time(e.time)),
          h('td', {}, h('code', { class: 'id' }, e.type)),
          h('td', { class: 'name' }, e.clientId ?? ''),
          h('td', {}, e.userId ? short(e.userId) : ''),
          h('td', {}, e.sessionId ? short(e.sessionId) : ''),
          h('td', {}, e.ipAddress ?? ''),
          h(
            'td',
            { class: 'details' },
            e.error ? h('strong', { class: 'cause' }, e.error) : null,
            e.details ? facts(e.details) : null,
            raw(e),
          ),
        ),
      ),
      'No events match.',
    ),
    h(
      'div',
      { class: 'pager' },
      first > 0 ? h('a', { href: hash(Math.max(0, first - PAGE)) }, '← Newer') : null,
      events.length === PAGE ? h('a', { href: hash(first + PAGE) }, 'Older →') : null,
    ),
  );
}
