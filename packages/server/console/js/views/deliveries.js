// @ts-check
// Every logout token's fate: to which client, for which session, in which state, how many
// attempts, when the next one is due, and the cause of the last failure, with a retry button.
import { api, realmPath } from '../api.js';
import { config } from '../auth.js';
import { badge, every, h, relative, replace, short, table, time, toast } from '../dom.js';

const STATUSES = config.deliveryStatuses;

/**
 * @typedef {{ id: string, kind: string, clientId: string, sessionId: string | null, userId: string | null, username: string | null, status: string, attempts: number, createdAt: number, lastAttemptAt: number | null, nextAttemptAt: number | null, lastStatus: number | null, lastError: string | null, finishedAt: number | null, logoutId: string | null, receipt: { sessionsEnded: number | null } | null }} Delivery
 */

/** @param {Delivery} d @param {number} now */
function progress(d, now) {
  if (d.nextAttemptAt !== null)
    return h(
      'span',
      {},
      d.status === 'pending' && d.attempts === 0 ? 'sending ' : 'next try ',
      relative(d.nextAttemptAt, now),
    );
  return d.finishedAt !== null ? time(d.finishedAt) : '—';
}

/** @param {Delivery} d */
function cause(d) {
  if (d.lastError) return h('span', { class: d.status === 'delivered' ? '' : 'cause' }, d.lastError);
  // The app's receipt: what it said it did (an @sundown/rp receiver's 200 body).
  if (d.receipt)
    return `HTTP ${d.lastStatus} · ${d.receipt.sessionsEnded === null ? 'receipt' : `${d.receipt.sessionsEnded} session(s) ended`}`;
  if (d.lastStatus !== null) return `HTTP ${d.lastStatus}`;
  return h('span', { class: 'muted' }, 'not tried yet');
}

/** @type {import('../main.js').View} */
export async function deliveriesView({ realm, params, el, go }) {
  const base = realmPath(realm);
  const status = params.get('status') ?? '';
  const clientId = params.get('clientId') ?? '';
  const session = params.get('session') ?? '';
  /** @type {Array<{ clientId: string, adminUrl?: string, attributes: Record<string, string> }>} */
  const clients = await api('GET', `${base}/clients?max=1000`);

  const apply = () => {
    const q = new URLSearchParams();
    if (statusSel.value) q.set('status', statusSel.value);
    if (clientSel.value) q.set('clientId', clientSel.value);
    if (sessionInput.value.trim()) q.set('session', sessionInput.value.trim());
    go(`#/${encodeURIComponent(realm)}/deliveries${q.size ? `?${q}` : ''}`);
  };
  const statusSel = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'filter-status', onchange: apply },
      h('option', { value: '' }, 'Any status'),
      STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
    )
  );
  const clientSel = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'filter-client', onchange: apply },
      h('option', { value: '' }, 'Any client'),
      clients
        .filter((c) => c.attributes['backchannel.logout.url'] || c.adminUrl)
        .map((c) => h('option', { value: c.clientId, selected: c.clientId === clientId }, c.clientId)),
    )
  );
  const sessionInput = /** @type {HTMLInputElement} */ (
    h('input', {
      id: 'filter-session',
      type: 'search',
      placeholder: 'Session id (sid)',
      value: session,
      onchange: apply,
    })
  );
  const summary = h('div', { class: 'summary', 'aria-label': 'Deliveries by status' });
  const body = h('div', {});

  const query = new URLSearchParams({ max: '200' });
  if (status) query.set('status', status);
  if (clientId) query.set('clientId', clientId);
  if (session) query.set('session', session);

  const load = async () => {
    /** @type {[Delivery[], Record<string, number>]} */
    const [rows, stats] = await Promise.all([
      api('GET', `${base}/sundown/deliveries?${query}`),
      api('GET', `${base}/sundown/delivery-stats${clientId ? `?clientId=${encodeURIComponent(clientId)}` : ''}`),
    ]);
    replace(
      summary,
      h('span', { class: 'muted' }, clientId ? `All of ${clientId}:` : 'All in this realm:'),
      STATUSES.map((s) =>
        h(
          'a',
          {
            class: `stat ${s}${s === status ? ' current' : ''}`,
            href: `#/${encodeURIComponent(realm)}/deliveries?status=${s}${clientId ? `&clientId=${encodeURIComponent(clientId)}` : ''}`,
          },
          h('strong', {}, String(stats[s] ?? 0)),
          ' ',
          s,
        ),
      ),
    );
    const now = Date.now();
    replace(
      body,
      table(
        [
          'Created',
          'Client',
          'Kind',
          'User',
          'Session',
          'Status',
          'Attempts',
          'Next / finished',
          'Last answer or cause',
          '',
        ],
        rows.map((d) =>
          h(
            'tr',
            { 'data-delivery': d.id, 'data-status': d.status },
            h('td', {}, time(d.createdAt)),
            h('td', { class: 'name' }, d.clientId),
            // backchannel: an OIDC logout token; k_logout, k_push_not_before: Keycloak's admin URL.
            h('td', { class: 'kind' }, d.kind),
            h('td', {}, d.username ?? (d.userId ? short(d.userId) : h('span', { class: 'muted' }, 'all'))),
            h(
              'td',
              {},
              d.sessionId
                ? h(
                    'a',
                    { href: `#/${encodeURIComponent(realm)}/deliveries?session=${encodeURIComponent(d.sessionId)}` },
                    short(d.sessionId),
                  )
                : h('span', { class: 'muted' }, 'realm-wide'),
            ),
            h('td', {}, badge(d.status)),
            h('td', { class: 'num' }, String(d.attempts)),
            h('td', {}, progress(d, now)),
            // Causes can be long and without a space (an escaped answer body): they wrap anywhere.
            h('td', { class: 'wrap cause-cell' }, cause(d)),
            h(
              'td',
              { class: 'actions' },
              d.status === 'failed' || d.status === 'rejected'
                ? h(
                    'button',
                    {
                      type: 'button',
                      onclick: async (/** @type {Event} */ e) => {
                        const button = /** @type {HTMLButtonElement} */ (e.currentTarget);
                        button.disabled = true;
                        try {
                          await api('POST', `${base}/sundown/deliveries/${encodeURIComponent(d.id)}/retry`);
                          toast(`Sending to ${d.clientId} again.`);
                          await load();
                        } catch (err) {
                          toast(err instanceof Error ? err.message : String(err), 'error');
                          button.disabled = false;
                        }
                      },
                    },
                    'Retry now',
                  )
                : null,
            ),
          ),
        ),
        'No deliveries match.',
      ),
    );
  };

  replace(
    el,
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, 'Back-channel deliveries'),
      h('span', { class: 'live', title: 'Refreshes every 2 seconds' }, 'live'),
    ),
    h(
      'p',
      { class: 'lead' },
      'One row per logout message on its way to a client: a back-channel logout token, or a Keycloak admin-URL action (k_logout, k_push_not_before). Network errors, timeouts and 5xx answers are retried with backoff; a 4xx answer is a rejection and is not retried.',
    ),
    summary,
    h(
      'form',
      { class: 'filters', onsubmit: (/** @type {Event} */ e) => (e.preventDefault(), apply()) },
      h('label', {}, 'Status ', statusSel),
      h('label', {}, 'Client ', clientSel),
      h('label', {}, 'Session ', sessionInput),
      status || clientId || session
        ? h('a', { href: `#/${encodeURIComponent(realm)}/deliveries` }, 'Clear filters')
        : null,
    ),
    body,
  );
  await load();
  return every(load, 2000);
}
