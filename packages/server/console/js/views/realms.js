// @ts-check
// The realms, each a way into its sessions and deliveries.
import { api } from '../api.js';
import { h, replace, table } from '../dom.js';

/** @type {import('../main.js').View} */
export async function realmsView({ el }) {
  /** @type {Array<{ realm: string, displayName?: string, enabled: boolean }>} */
  const realms = await api('GET', '');
  replace(
    el,
    h('h1', {}, 'Realms'),
    table(
      ['Realm', 'Display name', 'Enabled', ''],
      realms.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/${encodeURIComponent(r.realm)}/sessions` }, r.realm)),
          h('td', {}, r.displayName ?? ''),
          h('td', {}, r.enabled ? 'yes' : 'no'),
          h(
            'td',
            { class: 'actions' },
            h('a', { href: `#/${encodeURIComponent(r.realm)}/deliveries` }, 'Deliveries'),
            ' ',
            h('a', { href: `#/${encodeURIComponent(r.realm)}/clients` }, 'Clients'),
          ),
        ),
      ),
      'No realms yet.',
    ),
  );
}
