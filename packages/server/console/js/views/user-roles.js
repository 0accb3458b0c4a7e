// @ts-check
// One user's roles: the groups it is in, its direct role mappings (realm and client; a realm role
// is mapped or unmapped here), and its effective roles — what its tokens can carry, composites
// expanded and through its groups and their parents — each with every way it is held.
import { api, realmPath } from '../api.js';
import { confirmButton, h, replace, table, toast } from '../dom.js';

/**
 * @typedef {{ name: string, client: string | null }} RoleName
 * @typedef {{ id: string, name: string, client: string | null, description: string | null, composite: boolean, direct: boolean, sources: Array<{ group: string | null, composite: RoleName | null }> }} EffectiveRole
 * @typedef {{ id: string, name: string }} RoleRef
 * @typedef {{ realmMappings?: RoleRef[], clientMappings?: Record<string, { id: string, client: string, mappings: RoleRef[] }> }} Mappings
 */

/** @param {RoleName} r */
const label = (r) => (r.client ? `${r.client} ${r.name}` : r.name);

/** @param {EffectiveRole['sources'][number]} s */
function how(s) {
  if (!s.group && !s.composite) return 'mapped directly';
  const parts = [];
  if (s.composite) parts.push(`in composite ${label(s.composite)}`);
  parts.push(s.group ? `from group ${s.group}` : 'mapped directly');
  return parts.join(', ');
}

/** @param {import('../main.js').ViewContext} ctx @param {string} id */
export async function userRolesView(ctx, id) {
  const { realm, el } = ctx;
  const base = realmPath(realm);
  const userPath = `${base}/users/${encodeURIComponent(id)}`;
  /** @type {[{ id: string, username: string, email?: string }, Array<{ id: string, path: string }>, Mappings, RoleRef[], EffectiveRole[]]} */
  const [user, groups, mappings, available, effective] = await Promise.all([
    api('GET', userPath),
    api('GET', `${userPath}/groups`),
    api('GET', `${userPath}/role-mappings`),
    api('GET', `${userPath}/role-mappings/realm/available`),
    api('GET', `${base}/sundown/users/${encodeURIComponent(id)}/effective-roles`),
  ]);
  const reload = () => userRolesView(ctx, id);
  /** @param {string} container @param {RoleRef} r @param {string} shown */
  const unmap = (container, r, shown) =>
    confirmButton('Unmap', 'Confirm: unmap', async () => {
      await api('DELETE', `${userPath}/role-mappings/${container}`, [{ id: r.id, name: r.name }]);
      toast(`${shown} is no longer mapped to ${user.username}.`);
      await reload();
    });
  const direct = [
    ...(mappings.realmMappings ?? []).map((r) => ({ r, client: null, container: 'realm' })),
    ...Object.values(mappings.clientMappings ?? {}).flatMap((c) =>
      c.mappings.map((r) => ({ r, client: c.client, container: `clients/${encodeURIComponent(c.id)}` })),
    ),
  ];
  const pick = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'map-role', 'aria-label': 'Realm role to map' },
      available.map((r) => h('option', { value: r.id }, r.name)),
    )
  );
  /** @param {Event} e */
  const map = async (e) => {
    e.preventDefault();
    const r = available.find((x) => x.id === pick.value);
    if (!r) return;
    await api('POST', `${userPath}/role-mappings/realm`, [{ id: r.id, name: r.name }]);
    toast(`${r.name} is mapped to ${user.username}.`);
    await reload();
  };

  replace(
    el,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/${encodeURIComponent(realm)}/users` }, 'Users'),
      ' / ',
      user.username,
    ),
    h('h1', {}, user.username, user.email ? h('span', { class: 'muted small' }, ` ${user.email}`) : null),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Groups'),
      h(
        'dd',
        { id: 'user-groups' },
        groups.length
          ? groups.flatMap((g, i) => [
              i ? ', ' : '',
              h('a', { href: `#/${encodeURIComponent(realm)}/groups/${encodeURIComponent(g.id)}` }, g.path),
            ])
          : 'none',
      ),
      h('dt', {}, 'Sessions'),
      h(
        'dd',
        {},
        h('a', { href: `#/${encodeURIComponent(realm)}/sessions?user=${encodeURIComponent(id)}` }, 'Live sessions'),
      ),
    ),
    h('h2', {}, 'Role mappings'),
    table(
      ['Role', 'Client', ''],
      direct.map(({ r, client, container }) =>
        h(
          'tr',
          { 'data-mapped': client ? `${client} ${r.name}` : r.name },
          h('td', { class: 'name' }, h('a', { href: `#/${encodeURIComponent(realm)}/roles/${r.id}` }, r.name)),
          h('td', {}, client ?? h('span', { class: 'muted' }, 'realm')),
          h('td', { class: 'actions' }, unmap(container, r, client ? `${client} ${r.name}` : r.name)),
        ),
      ),
      'No role is mapped to this user directly.',
    ),
    available.length
      ? h(
          'form',
          { class: 'filters', onsubmit: map },
          h('label', { for: 'map-role' }, 'Realm role '),
          pick,
          h('button', { type: 'submit' }, 'Map role'),
        )
      : null,
    h('h2', {}, 'Effective roles'),
    h(
      'p',
      { class: 'lead' },
      "What this user's tokens can carry: its mappings, its groups' and their parents', and every role in a composite among them. A client without full scope gets only the roles in its scope.",
    ),
    table(
      ['Role', 'Client', 'How it is held'],
      effective.map((r) =>
        h(
          'tr',
          { 'data-effective': label(r), 'data-direct': String(r.direct) },
          h(
            'td',
            { class: 'name' },
            h('a', { href: `#/${encodeURIComponent(realm)}/roles/${r.id}` }, r.name),
            r.composite ? [' ', h('span', { class: 'badge composite' }, 'composite')] : null,
          ),
          h('td', {}, r.client ?? h('span', { class: 'muted' }, 'realm')),
          h('td', { class: 'wrap' }, r.sources.map(how).join('; ')),
        ),
      ),
      'This user holds no role.',
    ),
  );
}
