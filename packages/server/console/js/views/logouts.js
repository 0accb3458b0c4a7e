// @ts-check
// Logouts: every end of sessions — its trigger, who started it, its sessions and where its
// messages stand — filtered by user, client, trigger, outcome and time, exported as CSV; and one
// logout's trace: each application's outcome and the timeline across channels (#/{realm}/logouts/{id}).
import { api, realmPath } from '../api.js';
import { accessToken, config } from '../auth.js';
import { badge, every, h, replace, short, table, time, toast } from '../dom.js';

const PAGE = 50;
const OUTCOMES = ['in_progress', 'incomplete', 'complete'];
/** @type {Record<string, string>} */
const SYMBOL = {
  signed_out: '✓',
  pending: '…',
  retrying: '↻',
  told_by_browser: '→',
  failed: '✗',
  not_told: '–',
};

/**
 * @typedef {{ id: string, trigger: string, startedBy: string, actor: string | null, ipAddress: string | null, userId: string | null, username: string | null, sessions: number, createdAt: number, deliveries: Record<string, number>, outcome: string }} LogoutSummary
 * @typedef {{ id: string, clientId: string, name: string, state: string, label: string, why: string | null, sessionsEnded: number | null }} AppStatus
 * @typedef {{ logout: { id: string, realm: string, trigger: string, startedBy: string, actor: string | null, ipAddress: string | null, userId: string | null, username: string | null, sessionCount: number, createdAt: number }, sessions: Array<{ id: string, userId: string, username: string | null }>, status: { apps: AppStatus[], outcome: string, done: boolean }, timeline: Array<{ at: number, clientId: string | null, channel: string | null, deliveryId: string | null, what: string }> }} LogoutTrace
 */

/** @param {LogoutSummary} l */
function startedBy(l) {
  return [l.startedBy, l.actor ? `(${l.actor})` : null].filter(Boolean).join(' ');
}

/** @param {Record<string, number>} d */
function messages(d) {
  const total = Object.values(d).reduce((a, n) => a + n, 0);
  if (total === 0) return h('span', { class: 'muted' }, 'none');
  const open = (d.pending ?? 0) + (d.retrying ?? 0);
  const bad = (d.failed ?? 0) + (d.rejected ?? 0) + (d.skipped ?? 0);
  return `${d.delivered ?? 0} delivered of ${total}${open ? `, ${open} open` : ''}${bad ? `, ${bad} not delivered` : ''}`;
}

/** @type {import('../main.js').View} */
export async function logoutsView(ctx) {
  if (ctx.rest[0]) return logoutView(ctx, ctx.rest[0]);
  const { realm, params, el, go } = ctx;
  const base = realmPath(realm);
  const first = Math.max(0, Number(params.get('first') ?? '0') || 0);
  const query = new URLSearchParams(params);
  query.delete('first');

  const select = (/** @type {string} */ name, /** @type {string} */ any, /** @type {string[]} */ values) =>
    /** @type {HTMLSelectElement} */ (
      h(
        'select',
        { name },
        h('option', { value: '' }, any),
        values.map((v) => h('option', { value: v, selected: v === params.get(name) }, v)),
      )
    );
  const input = (/** @type {string} */ name, /** @type {string} */ placeholder, type = 'text') =>
    /** @type {HTMLInputElement} */ (h('input', { name, placeholder, type, value: params.get(name) ?? '' }));
  const trigger = select('trigger', 'Any trigger', config.logoutTriggers);
  const outcome = select('outcome', 'Any outcome', OUTCOMES);
  const client = input('client', 'clientId');
  const user = input('user', 'User id');
  const from = input('from', '', 'date');
  const to = input('to', '', 'date');
  /** @param {number} at */
  const hash = (at) => {
    const q = new URLSearchParams();
    for (const c of [trigger, outcome, client, user, from, to]) if (c.value.trim()) q.set(c.name, c.value.trim());
    if (at > 0) q.set('first', String(at));
    return `#/${encodeURIComponent(realm)}/logouts${q.size ? `?${q}` : ''}`;
  };
  const body = h('div', {});
  const load = async () => {
    const q = new URLSearchParams(query);
    q.set('first', String(first));
    q.set('max', String(PAGE));
    /** @type {LogoutSummary[]} */
    const rows = await api('GET', `${base}/sundown/logouts?${q}`);
    replace(
      body,
      table(
        ['Time', 'Trigger', 'Started by', 'User', 'Sessions', 'Messages', 'Outcome'],
        rows.map((l) =>
          h(
            'tr',
            { 'data-logout': l.id, 'data-outcome': l.outcome },
            h(
              'td',
              {},
              h('a', { href: `#/${encodeURIComponent(realm)}/logouts/${encodeURIComponent(l.id)}` }, time(l.createdAt)),
            ),
            h('td', {}, l.trigger),
            h('td', {}, startedBy(l)),
            h('td', {}, l.username ?? (l.userId ? short(l.userId) : h('span', { class: 'muted' }, 'several'))),
            h('td', { class: 'num' }, String(l.sessions)),
            h('td', {}, messages(l.deliveries)),
            h('td', {}, badge(l.outcome)),
          ),
        ),
        'No logouts match.',
      ),
      h(
        'p',
        { class: 'pager' },
        first > 0 ? h('a', { href: hash(Math.max(0, first - PAGE)) }, '← Newer') : null,
        ' ',
        rows.length === PAGE ? h('a', { href: hash(first + PAGE) }, 'Older →') : null,
      ),
    );
  };
  const exportCsv = async () => {
    const q = new URLSearchParams(query);
    q.set('format', 'csv');
    q.set('max', '1000');
    const res = await fetch(`${config.apiBase}${base}/sundown/logouts?${q}`, {
      headers: { authorization: `Bearer ${await accessToken(false)}` },
    });
    if (!res.ok) return toast(`The server answered ${res.status}`, 'error');
    const a = /** @type {HTMLAnchorElement} */ (
      h('a', { href: URL.createObjectURL(await res.blob()), download: `logouts-${realm}.csv` })
    );
    document.body.append(a);
    a.click();
    a.remove();
  };

  replace(
    el,
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, 'Logouts'),
      h('span', { class: 'live', title: 'Refreshes every 2 seconds' }, 'live'),
    ),
    h(
      'p',
      { class: 'lead' },
      'Every end of sessions — a sign-out, an administrator, expiry, a disabled or deleted user, the session cap, the CLI — with who started it and whether every application was told. Open one for its timeline across channels.',
    ),
    h(
      'form',
      { class: 'filters', onsubmit: (/** @type {Event} */ e) => (e.preventDefault(), go(hash(0))) },
      h('label', {}, 'Trigger ', trigger),
      h('label', {}, 'Outcome ', outcome),
      h('label', {}, 'Client ', client),
      h('label', {}, 'User ', user),
      h('label', {}, 'From ', from),
      h('label', {}, 'To ', to),
      h('button', { type: 'submit' }, 'Filter'),
      h('button', { type: 'button', class: 'ghost', onclick: () => void exportCsv() }, 'Export CSV'),
    ),
    body,
  );
  await load();
  return every(load, 2000);
}

/** @param {import('../main.js').ViewContext} ctx @param {string} id */
async function logoutView({ realm, el }, id) {
  const path = `${realmPath(realm)}/sundown/logouts/${encodeURIComponent(id)}`;
  const apps = h('div', {});
  const timeline = h('div', {});
  const head = h('div', {});
  const load = async () => {
    /** @type {LogoutTrace} */
    const t = await api('GET', path);
    const l = t.logout;
    const users = [...new Set(t.sessions.map((s) => s.username ?? s.userId))];
    replace(
      head,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Trigger'),
        h('dd', {}, l.trigger),
        h('dt', {}, 'Started by'),
        h(
          'dd',
          {},
          [l.startedBy, l.actor ? `(${l.actor})` : null, l.ipAddress ? `from ${l.ipAddress}` : null]
            .filter(Boolean)
            .join(' '),
        ),
        h('dt', {}, 'At'),
        h('dd', {}, time(l.createdAt)),
        h('dt', {}, 'Sessions'),
        h(
          'dd',
          {},
          `${l.sessionCount}${users.length ? ` (${users.slice(0, 10).join(', ')}${users.length > 10 ? ', …' : ''})` : ''}`,
        ),
        h('dt', {}, 'Outcome'),
        h('dd', { role: 'status' }, t.status.outcome),
      ),
    );
    replace(
      apps,
      table(
        ['', 'Application', 'State', 'Why'],
        t.status.apps.map((a) =>
          h(
            'tr',
            { 'data-client': a.clientId, 'data-state': a.state },
            h('td', { 'aria-hidden': 'true' }, SYMBOL[a.state] ?? ''),
            h('td', {}, a.name, a.name !== a.clientId ? h('span', { class: 'muted' }, ` ${a.clientId}`) : null),
            h('td', {}, a.label),
            h('td', {}, a.why ?? ''),
          ),
        ),
        'No application had to be told.',
      ),
    );
    replace(
      timeline,
      table(
        ['+ time', 'Application', 'Channel', 'What happened'],
        t.timeline.map((s) =>
          h(
            'tr',
            {},
            h('td', { class: 'num', title: new Date(s.at).toISOString() }, `+${Math.max(0, s.at - l.createdAt)} ms`),
            h('td', {}, s.clientId ?? '—'),
            h('td', {}, s.channel ?? ''),
            h('td', {}, s.what),
          ),
        ),
        'Nothing recorded.',
      ),
    );
  };
  replace(
    el,
    h('p', {}, h('a', { href: `#/${encodeURIComponent(realm)}/logouts` }, '← Logouts')),
    h('div', { class: 'title-row' }, h('h1', {}, 'Logout ', short(id)), h('span', { class: 'live' }, 'live')),
    head,
    h('h2', {}, 'Applications'),
    apps,
    h('h2', {}, 'Timeline'),
    timeline,
    h('p', { class: 'muted' }, `From a terminal: sundown trace ${id}`),
  );
  await load();
  return every(load, 2000);
}
