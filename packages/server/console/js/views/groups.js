// @ts-check
// Groups: the realm's tree of groups with the roles mapped to each; one group
// (#/{realm}/groups/{id}) shows its attributes, its role mappings, the roles its members get
// (its own and its parents', composites expanded), its subgroups and its members.
import { api, realmPath } from '../api.js';
import { h, replace, table } from '../dom.js';

/**
 * @typedef {{ id: string, name: string, path: string, parentId?: string, subGroupCount: number, subGroups: Group[], attributes?: Record<string, string[]>, realmRoles?: string[], clientRoles?: Record<string, string[]> }} Group
 * @typedef {{ id: string, name: string, clientRole: boolean, composite: boolean }} Role
 */

/** @param {Group} g */
export function mappedRoles(g) {
  return [
    ...(g.realmRoles ?? []),
    ...Object.entries(g.clientRoles ?? {}).flatMap(([client, names]) => names.map((n) => `${client} ${n}`)),
  ];
}

/** @param {string} realm @param {Group} g @returns {HTMLElement} */
function branch(realm, g) {
  const roles = mappedRoles(g);
  return h(
    'li',
    { 'data-group': g.path },
    h('a', { href: `#/${encodeURIComponent(realm)}/groups/${encodeURIComponent(g.id)}` }, g.name),
    roles.length ? [' ', ...roles.map((r) => h('span', { class: 'chip' }, r))] : null,
    g.subGroups.length
      ? h(
          'ul',
          { class: 'tree' },
          g.subGroups.map((c) => branch(realm, c)),
        )
      : null,
  );
}

/** @type {import('../main.js').View} */
export async function groupsView(ctx) {
  if (ctx.rest[0]) return groupView(ctx, ctx.rest[0]);
  const { realm, el } = ctx;
  /** @type {Group[]} */
  const top = await api('GET', `${realmPath(realm)}/groups?briefRepresentation=false&max=1000`);
  replace(
    el,
    h('h1', {}, 'Groups'),
    h(
      'p',
      { class: 'lead' },
      "Members get the roles of their group and of every group above it. The chips are each group's own role mappings (client roles as “client role”).",
    ),
    top.length
      ? h(
          'ul',
          { class: 'tree', 'aria-label': 'Groups' },
          top.map((g) => branch(realm, g)),
        )
      : h('p', { class: 'empty' }, 'This realm has no groups.'),
  );
}

/** @param {import('../main.js').ViewContext} ctx @param {string} id */
async function groupView({ realm, el }, id) {
  const base = realmPath(realm);
  const path = `${base}/groups/${encodeURIComponent(id)}`;
  /** @type {[Group, Array<{ id: string, username: string, email?: string }>, Role[], Array<{ id: string, clientId: string }>]} */
  const [group, members, effectiveRealm, clients] = await Promise.all([
    api('GET', path),
    api('GET', `${path}/members?max=200`),
    api('GET', `${path}/role-mappings/realm/composite`),
    api('GET', `${base}/clients?max=1000`),
  ]);
  /** @type {Role[][]} */
  const effectiveClient = await Promise.all(
    clients.map((c) => api('GET', `${path}/role-mappings/clients/${encodeURIComponent(c.id)}/composite`)),
  );
  const direct = new Set(mappedRoles(group));
  const effective = [
    ...effectiveRealm.map((r) => ({ r, client: null })),
    ...clients.flatMap((c, i) => (effectiveClient[i] ?? []).map((r) => ({ r, client: c.clientId }))),
  ];
  const attributes = Object.entries(group.attributes ?? {});
  const crumbs = group.path.split('/').filter(Boolean);
  replace(
    el,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/${encodeURIComponent(realm)}/groups` }, 'Groups'),
      crumbs.flatMap((c) => [' / ', c]),
    ),
    h('h1', {}, group.name, h('span', { class: 'muted small' }, ` ${group.path}`)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Attributes'),
      h('dd', {}, attributes.length ? attributes.map(([k, v]) => `${k} = ${v.join(', ')}`).join('; ') : '—'),
      h('dt', {}, 'Subgroups'),
      h(
        'dd',
        {},
        group.subGroups.length
          ? group.subGroups.flatMap((s, i) => [
              i ? ', ' : '',
              h('a', { href: `#/${encodeURIComponent(realm)}/groups/${encodeURIComponent(s.id)}` }, s.name),
            ])
          : '—',
      ),
    ),
    h('h2', {}, 'Roles its members get'),
    table(
      ['Role', 'Client', 'How'],
      effective.map(({ r, client }) => {
        const label = client ? `${client} ${r.name}` : r.name;
        return h(
          'tr',
          { 'data-role': label },
          h('td', { class: 'name' }, h('a', { href: `#/${encodeURIComponent(realm)}/roles/${r.id}` }, r.name)),
          h('td', {}, client ?? h('span', { class: 'muted' }, 'realm')),
          h('td', {}, direct.has(label) ? 'mapped to this group' : 'from a parent group or a composite'),
        );
      }),
      'No roles: neither this group nor its parents have role mappings.',
    ),
    h('h2', {}, 'Members'),
    table(
      ['Username', 'Email'],
      members.map((u) =>
        h(
          'tr',
          { 'data-user': u.username },
          h('td', {}, h('a', { href: `#/${encodeURIComponent(realm)}/users/${encodeURIComponent(u.id)}` }, u.username)),
          h('td', { class: 'wrap' }, u.email ?? ''),
        ),
      ),
      'No direct members (members of subgroups are listed there).',
    ),
  );
}
