// @ts-check
// Roles: the realm's roles and each client's (Keycloak's admin API), composites marked; one role
// (#/{realm}/roles/{id}) shows what it contains — its direct composites and, expanded, every role
// a holder gets — and the users it is mapped to directly.
import { api, realmPath } from '../api.js';
import { h, replace, table } from '../dom.js';

/**
 * @typedef {{ id: string, name: string, description?: string, composite: boolean, clientRole: boolean, containerId: string }} Role
 * @typedef {{ id: string, clientId: string }} ClientRef
 */

/** Keycloak's built-in roles carry message keys as descriptions; its console shows their English texts. */
/** @type {Record<string, string>} */
const KEYS = {
  '${role_default-roles}': 'Default roles',
  '${role_offline-access}': 'Offline access',
  '${role_uma_authorization}': 'Obtain permissions',
};
/** @param {string | undefined} d */
export const describe = (d) => (d ? (KEYS[d] ?? d) : '');

/** @param {string} realm @param {Role} r */
const roleLink = (realm, r) =>
  h('a', { href: `#/${encodeURIComponent(realm)}/roles/${encodeURIComponent(r.id)}` }, r.name);

/**
 * A role's label where realm and client roles mix: "name" or "clientId name".
 * @param {Role} r @param {Map<string, string>} clients internal id → clientId
 */
export const roleLabel = (r, clients) =>
  r.clientRole ? `${clients.get(r.containerId) ?? r.containerId} ${r.name}` : r.name;

/** @type {import('../main.js').View} */
export async function rolesView(ctx) {
  if (ctx.rest[0]) return roleView(ctx, ctx.rest[0]);
  const { realm, el } = ctx;
  const base = realmPath(realm);
  /** @type {[Role[], ClientRef[]]} */
  const [realmRoles, clients] = await Promise.all([
    api('GET', `${base}/roles?max=1000`),
    api('GET', `${base}/clients?max=1000`),
  ]);
  /** @type {Role[][]} */
  const clientRoles = await Promise.all(
    clients.map((c) => api('GET', `${base}/clients/${encodeURIComponent(c.id)}/roles?max=1000`)),
  );
  /** @param {Role} r @param {string | null} client */
  const row = (r, client) =>
    h(
      'tr',
      { 'data-role': client ? `${client} ${r.name}` : r.name },
      h('td', { class: 'name' }, roleLink(realm, r)),
      client === null ? null : h('td', { class: 'name' }, client),
      h('td', {}, r.composite ? h('span', { class: 'badge composite' }, 'composite') : ''),
      h('td', { class: 'wrap' }, describe(r.description)),
    );
  const withRoles = clients.map((c, i) => ({ c, roles: clientRoles[i] ?? [] })).filter((x) => x.roles.length > 0);
  replace(
    el,
    h('h1', {}, 'Roles'),
    h(
      'p',
      { class: 'lead' },
      'Realm roles travel in realm_access, client roles in resource_access under their client. A composite role gives every role it contains; open a role to see them.',
    ),
    h('h2', {}, 'Realm roles'),
    table(
      ['Name', 'Composite', 'Description'],
      realmRoles.map((r) => row(r, null)),
      'This realm has no roles.',
    ),
    h('h2', {}, 'Client roles'),
    table(
      ['Name', 'Client', 'Composite', 'Description'],
      withRoles.flatMap(({ c, roles }) => roles.map((r) => row(r, c.clientId))),
      'No client has roles.',
    ),
  );
}

/** @param {import('../main.js').ViewContext} ctx @param {string} id */
async function roleView({ realm, el }, id) {
  const base = realmPath(realm);
  const byId = `${base}/roles-by-id/${encodeURIComponent(id)}`;
  /** @type {[Role & { attributes?: Record<string, string[]> }, ClientRef[]]} */
  const [role, clients] = await Promise.all([api('GET', byId), api('GET', `${base}/clients?max=1000`)]);
  const clientIds = new Map(clients.map((c) => [c.id, c.clientId]));
  const client = role.clientRole ? (clientIds.get(role.containerId) ?? role.containerId) : null;
  const usersPath = client
    ? `${base}/clients/${encodeURIComponent(role.containerId)}/roles/${encodeURIComponent(role.name)}/users`
    : `${base}/roles/${encodeURIComponent(role.name)}/users`;
  /** @type {[Role[], Array<{ id: string, username: string }>]} */
  const [composites, users] = await Promise.all([
    role.composite ? api('GET', `${byId}/composites`) : Promise.resolve([]),
    api('GET', `${usersPath}?max=200`),
  ]);
  const expanded = await expand(byId, composites, base);
  const attributes = Object.entries(role.attributes ?? {});
  replace(
    el,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/${encodeURIComponent(realm)}/roles` }, 'Roles'),
      ' / ',
      client ? `${client} ` : '',
      role.name,
    ),
    h('h1', {}, role.name, h('span', { class: 'muted small' }, client ? ` client role of ${client}` : ' realm role')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Description'),
      h('dd', {}, describe(role.description) || '—'),
      h('dt', {}, 'In tokens as'),
      h('dd', {}, h('code', {}, client ? `resource_access["${client}"].roles` : 'realm_access.roles')),
      attributes.length
        ? [h('dt', {}, 'Attributes'), h('dd', {}, attributes.map(([k, v]) => `${k} = ${v.join(', ')}`).join('; '))]
        : null,
    ),
    h('h2', {}, 'Contains'),
    role.composite
      ? table(
          ['Role', 'How'],
          expanded.map(({ r, direct }) =>
            h(
              'tr',
              { 'data-contains': roleLabel(r, clientIds) },
              h(
                'td',
                { class: 'name' },
                h('a', { href: `#/${encodeURIComponent(realm)}/roles/${r.id}` }, roleLabel(r, clientIds)),
              ),
              h('td', {}, direct ? 'directly' : 'through a contained composite'),
            ),
          ),
          'Nothing.',
        )
      : h('p', { class: 'empty' }, 'Not a composite role: it gives only itself.'),
    h('h2', {}, 'Users with this role mapped directly'),
    table(
      ['Username'],
      users.map((u) =>
        h(
          'tr',
          { 'data-user': u.username },
          h('td', {}, h('a', { href: `#/${encodeURIComponent(realm)}/users/${encodeURIComponent(u.id)}` }, u.username)),
        ),
      ),
      'Nobody has it directly (members of groups that have it, and holders of composites containing it, do too).',
    ),
  );
}

/**
 * Every role a composite contains, transitively, by asking for each contained composite's
 * children; cycles end at a role seen before.
 * @param {string} byId @param {Role[]} children @param {string} base
 * @returns {Promise<Array<{ r: Role, direct: boolean }>>}
 */
async function expand(byId, children, base) {
  /** @type {Map<string, { r: Role, direct: boolean }>} */
  const out = new Map(children.map((r) => [r.id, { r, direct: true }]));
  out.delete(byId.split('/').pop() ?? '');
  let frontier = children.filter((r) => r.composite);
  while (frontier.length > 0) {
    /** @type {Role[][]} */
    const next = await Promise.all(
      frontier.map((r) => api('GET', `${base}/roles-by-id/${encodeURIComponent(r.id)}/composites`)),
    );
    frontier = [];
    for (const r of next.flat()) {
      if (out.has(r.id) || byId.endsWith(`/${encodeURIComponent(r.id)}`)) continue;
      out.set(r.id, { r, direct: false });
      if (r.composite) frontier.push(r);
    }
  }
  return [...out.values()].sort(
    (a, b) => Number(a.r.clientRole) - Number(b.r.clientRole) || a.r.name.localeCompare(b.r.name),
  );
}
