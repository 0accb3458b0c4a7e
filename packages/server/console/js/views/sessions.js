// @ts-check
// Live SSO sessions with the RPs in each: the clients a logout of that session will notify.
import { api, realmPath } from '../api.js';
import { confirmButton, every, h, relative, replace, short, table, time, toast } from '../dom.js';

/**
 * @typedef {{ id: string, username: string, userId: string, ipAddress?: string, start: number, lastAccess: number, clients: Record<string, string> }} Session
 */

/** @type {import('../main.js').View} */
export async function sessionsView({ realm, params, el, go }) {
  const base = realmPath(realm);
  const user = params.get('user');
  const body = h('div', {});
  const count = h('span', { class: 'muted' });

  const load = async () => {
    /** @type {Session[]} */
    const sessions = await api(
      'GET',
      `${base}/sundown/sessions?max=500${user ? `&user=${encodeURIComponent(user)}` : ''}`,
    );
    count.textContent = `${sessions.length} live`;
    const now = Date.now();
    replace(
      body,
      table(
        ['User', 'Session (sid)', 'Started', 'Last seen', 'IP address', 'Signed in to', ''],
        sessions.map((s) =>
          h(
            'tr',
            { 'data-session': s.id },
            h('td', { class: 'name' }, s.username),
            h('td', {}, short(s.id)),
            h('td', {}, time(s.start)),
            h('td', {}, relative(s.lastAccess, now)),
            h('td', {}, s.ipAddress ?? '—'),
            h(
              'td',
              {},
              Object.values(s.clients).length
                ? Object.values(s.clients).map((c) => h('span', { class: 'chip' }, c))
                : h('span', { class: 'muted' }, 'no clients'),
            ),
            h(
              'td',
              { class: 'actions' },
              confirmButton('End session', 'Confirm: end it', async () => {
                await api('DELETE', `${base}/sessions/${encodeURIComponent(s.id)}`);
                toast(`Session of ${s.username} ended; ${Object.keys(s.clients).length} client(s) will be told.`);
                go(`#/${encodeURIComponent(realm)}/deliveries?session=${encodeURIComponent(s.id)}`);
              }),
            ),
          ),
        ),
        user ? 'This user has no live sessions.' : 'Nobody is signed in.',
      ),
    );
  };

  replace(
    el,
    h('div', { class: 'title-row' }, h('h1', {}, 'Live sessions'), count),
    h(
      'p',
      { class: 'lead' },
      'Every SSO session that is still live, with the applications (RPs) that share it. Ending a session sends each of them a back-channel logout token.',
    ),
    user
      ? h(
          'p',
          {},
          'Showing one user’s sessions. ',
          h('a', { href: `#/${encodeURIComponent(realm)}/sessions` }, 'Show everyone'),
        )
      : null,
    h(
      'div',
      { class: 'toolbar' },
      confirmButton('Log out everyone', 'Confirm: end every session', async () => {
        /** @type {{ sundown: { endedSessions: number, deliveries: number } }} */
        const result = await api('POST', `${base}/logout-all`);
        toast(`${result.sundown.endedSessions} session(s) ended, ${result.sundown.deliveries} logout token(s) queued.`);
        await load();
      }),
    ),
    body,
  );
  await load();
  return every(load, 3000);
}
