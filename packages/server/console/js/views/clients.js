// @ts-check
// Clients and their logout settings (Keycloak's attribute names), edited in place; the server's
// validation message is shown next to the field it names.
import { api, ApiError, realmPath } from '../api.js';
import { field, h, replace, table, toast } from '../dom.js';
import { doctorList, runDoctor } from './doctor.js';

/**
 * @typedef {{ id: string, clientId: string, name?: string, enabled: boolean, publicClient: boolean, redirectUris: string[], frontchannelLogout: boolean, attributes: Record<string, string> }} Client
 */

const BC_URL = 'backchannel.logout.url';
const BC_SESSION = 'backchannel.logout.session.required';
const BC_OFFLINE = 'backchannel.logout.revoke.offline.tokens';
const FC_URL = 'frontchannel.logout.url';
const POST_LOGOUT = 'post.logout.redirect.uris';

/** @type {import('../main.js').View} */
export async function clientsView(ctx) {
  if (ctx.rest[0]) return clientView(ctx, ctx.rest[0]);
  const { realm, el } = ctx;
  const base = realmPath(realm);
  /** @type {[Client[], Array<{ id: string, active: string }>]} */
  const [clients, stats] = await Promise.all([
    api('GET', `${base}/clients?max=1000`),
    api('GET', `${base}/client-session-stats`),
  ]);
  const active = new Map(stats.map((s) => [s.id, s.active]));
  replace(
    el,
    h('h1', {}, 'Clients'),
    table(
      ['Client ID', 'Type', 'Back-channel logout URL', 'Front-channel', 'Active sessions', ''],
      clients.map((c) =>
        h(
          'tr',
          { 'data-client': c.clientId },
          h(
            'td',
            { class: 'name' },
            h('a', { href: `#/${encodeURIComponent(realm)}/clients/${c.id}` }, c.clientId),
            c.enabled ? null : h('span', { class: 'badge failed' }, 'disabled'),
          ),
          h('td', {}, c.publicClient ? 'public' : 'confidential'),
          h(
            'td',
            { class: 'wrap' },
            c.attributes[BC_URL] ? h('code', {}, c.attributes[BC_URL]) : h('span', { class: 'muted' }, 'none'),
          ),
          h(
            'td',
            { class: 'wrap' },
            c.frontchannelLogout && c.attributes[FC_URL]
              ? h('code', {}, c.attributes[FC_URL])
              : h('span', { class: 'muted' }, 'off'),
          ),
          h('td', { class: 'num' }, active.get(c.id) ?? '0'),
          h(
            'td',
            { class: 'actions' },
            h('a', { href: `#/${encodeURIComponent(realm)}/clients/${c.id}` }, 'Edit logout settings'),
          ),
        ),
      ),
      'This realm has no clients.',
    ),
  );
}

/** @param {import('../main.js').ViewContext} ctx @param {string} id */
async function clientView(ctx, id) {
  const { realm, el } = ctx;
  const base = realmPath(realm);
  /** @type {Client} */
  const client = await api('GET', `${base}/clients/${encodeURIComponent(id)}`);
  const a = client.attributes;
  const input = (/** @type {string} */ value) =>
    /** @type {HTMLInputElement} */ (
      h('input', { type: 'text', inputmode: 'url', value, spellcheck: 'false', autocomplete: 'off' })
    );
  const check = (/** @type {boolean} */ on) =>
    /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', checked: on }));
  const lines = (/** @type {string[]} */ list) =>
    /** @type {HTMLTextAreaElement} */ (h('textarea', { rows: 3, spellcheck: 'false' }, list.join('\n')));

  const f = {
    enabled: check(client.enabled),
    bcUrl: input(a[BC_URL] ?? ''),
    bcSession: check((a[BC_SESSION] ?? 'true') === 'true'),
    bcOffline: check(a[BC_OFFLINE] === 'true'),
    fc: check(client.frontchannelLogout),
    fcUrl: input(a[FC_URL] ?? ''),
    postLogout: lines((a[POST_LOGOUT] ?? '').split('##').filter(Boolean)),
    redirects: lines(client.redirectUris),
  };
  // Which control a server message is about, by the JSON path it names.
  /** @type {Array<[RegExp, HTMLElement]>} */
  const paths = [
    [/backchannel\.logout\.url/, f.bcUrl],
    [/frontchannel\.logout\.url/, f.fcUrl],
    [/post\.logout\.redirect\.uris/, f.postLogout],
    [/redirectUris/, f.redirects],
  ];
  const alert = h('div', { role: 'alert', class: 'form-alert', hidden: true });

  /** @param {Event} e */
  const save = async (e) => {
    e.preventDefault();
    alert.hidden = true;
    for (const [, control] of paths) control.removeAttribute('aria-invalid');
    for (const old of el.querySelectorAll('.field-error')) old.remove();
    // An emptied field removes its attribute.
    const attributes = Object.fromEntries(
      Object.entries({
        ...a,
        [BC_URL]: f.bcUrl.value.trim(),
        [BC_SESSION]: String(f.bcSession.checked),
        [BC_OFFLINE]: String(f.bcOffline.checked),
        [FC_URL]: f.fcUrl.value.trim(),
        [POST_LOGOUT]: f.postLogout.value
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean)
          .join('##'),
      }).filter(([, v]) => v !== ''),
    );
    try {
      await api('PUT', `${base}/clients/${encodeURIComponent(id)}`, {
        enabled: f.enabled.checked,
        frontchannelLogout: f.fc.checked,
        redirectUris: f.redirects.value
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
        attributes,
      });
      toast(`Saved ${client.clientId}.`);
      await clientView(ctx, id);
    } catch (err) {
      alert.hidden = false;
      const message = err instanceof ApiError ? err.message : String(err);
      replace(alert, h('strong', {}, 'Not saved: '), message);
      const hit = paths.find(([re]) => re.test(message));
      if (hit) {
        // The message also goes under the field, where the eye is after focus moves there.
        const control = hit[1];
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-errormessage', `${control.id}-error`);
        control.after(h('p', { class: 'field-error', id: `${control.id}-error` }, message));
        control.focus();
      }
    }
  };

  const doctorOut = h('div', {});
  const doctor = async () => {
    replace(doctorOut, h('p', { class: 'muted' }, 'Checking…'));
    try {
      replace(doctorOut, doctorList(await runDoctor(realm, id)));
    } catch (err) {
      replace(doctorOut, h('p', { class: 'error' }, err instanceof Error ? err.message : String(err)));
    }
  };

  replace(
    el,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/${encodeURIComponent(realm)}/clients` }, 'Clients'),
      ' / ',
      client.clientId,
    ),
    h(
      'h1',
      {},
      client.clientId,
      h('span', { class: 'muted small' }, client.publicClient ? ' public client' : ' confidential client'),
    ),
    h(
      'div',
      { class: 'split' },
      h(
        'form',
        { class: 'settings', onsubmit: save, novalidate: true },
        alert,
        field('enabled', 'Enabled', f.enabled),
        h('h2', {}, 'Back-channel logout'),
        field(
          'bc-url',
          'Back-channel logout URL',
          f.bcUrl,
          'Sundown POSTs a signed logout_token here when a session this client is in ends. https, unless the realm allows http.',
        ),
        field('bc-session', 'Logout token carries the session id (sid)', f.bcSession),
        field('bc-offline', 'Also revoke offline tokens', f.bcOffline),
        h('h2', {}, 'Front-channel logout'),
        field('fc', 'Front-channel logout', f.fc),
        field(
          'fc-url',
          'Front-channel logout URL',
          f.fcUrl,
          'Loaded in a hidden iframe on the logout page, with iss and sid. Same origin as a redirect URI.',
        ),
        h('h2', {}, 'Redirects'),
        field(
          'post-logout',
          'Valid post-logout redirect URIs',
          f.postLogout,
          'One per line; "+" means the same as the redirect URIs.',
        ),
        field('redirects', 'Valid redirect URIs', f.redirects, 'One per line.'),
        h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary' }, 'Save')),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Doctor'),
        a[BC_URL]
          ? [
              h(
                'p',
                {},
                'Checks the saved back-channel URL: DNS, connect, TLS, and the answer to a logout token for an unknown session (a correct receiver says 200).',
              ),
              h('button', { type: 'button', onclick: doctor }, 'Run the doctor check'),
              doctorOut,
            ]
          : h(
              'p',
              { class: 'muted' },
              'No back-channel logout URL is saved; this client is told of logouts only through the front channel, if at all.',
            ),
      ),
    ),
  );
}
