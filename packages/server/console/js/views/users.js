// @ts-check
// Users: search, their live sessions, and signing one out everywhere (every RP is told); one
// user's roles (#/{realm}/users/{id}, user-roles.js).
import { api, realmPath } from '../api.js';
import { confirmButton, h, replace, table, toast } from '../dom.js';
import { userRolesView } from './user-roles.js';

/** @type {import('../main.js').View} */
export async function usersView(ctx) {
  if (ctx.rest[0]) return userRolesView(ctx, ctx.rest[0]);
  const { realm, params, el, go } = ctx;
  const base = realmPath(realm);
  const search = params.get('search') ?? '';
  /** @type {Array<{ id: string, username: string, email?: string, firstName?: string, lastName?: string, enabled: boolean }>} */
  const users = await api('GET', `${base}/users?max=200${search ? `&search=${encodeURIComponent(search)}` : ''}`);
  const box = /** @type {HTMLInputElement} */ (
    h('input', { type: 'search', id: 'user-search', placeholder: 'Username or email', value: search })
  );
  replace(
    el,
    h('h1', {}, 'Users'),
    h(
      'form',
      {
        class: 'filters',
        role: 'search',
        onsubmit: (/** @type {Event} */ e) => (
          e.preventDefault(),
          go(
            `#/${encodeURIComponent(realm)}/users${box.value.trim() ? `?search=${encodeURIComponent(box.value.trim())}` : ''}`,
          )
        ),
      },
      h('label', {}, 'Search ', box),
      h('button', { type: 'submit' }, 'Search'),
    ),
    table(
      ['Username', 'Email', 'Name', 'Enabled', ''],
      users.map((u) =>
        h(
          'tr',
          { 'data-user': u.username },
          h(
            'td',
            { class: 'name' },
            h('a', { href: `#/${encodeURIComponent(realm)}/users/${encodeURIComponent(u.id)}` }, u.username),
          ),
          h('td', { class: 'wrap' }, u.email ?? ''),
          h('td', { class: 'name' }, [u.firstName, u.lastName].filter(Boolean).join(' ')),
          h('td', {}, u.enabled ? 'yes' : 'no'),
          h(
            'td',
            { class: 'actions' },
            h('a', { href: `#/${encodeURIComponent(realm)}/users/${encodeURIComponent(u.id)}` }, 'Roles'),
            ' ',
            h('a', { href: `#/${encodeURIComponent(realm)}/sessions?user=${encodeURIComponent(u.id)}` }, 'Sessions'),
            ' ',
            confirmButton('Sign out everywhere', 'Confirm: sign out', async () => {
              await api('POST', `${base}/users/${encodeURIComponent(u.id)}/logout`);
              toast(`${u.username} is signed out of every session; their clients will be told.`);
            }),
          ),
        ),
      ),
      search ? 'No user matches.' : 'This realm has no users.',
    ),
  );
}
