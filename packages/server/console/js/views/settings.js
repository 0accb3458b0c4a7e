// @ts-check
// The realm's own settings: name shown on pages, lifetimes, and the http back-channel opt-in.
import { api, ApiError, realmPath } from '../api.js';
import { field, h, replace, toast } from '../dom.js';

const ALLOW_HTTP = 'backchannelLogoutAllowHttp';

/** @type {import('../main.js').View} */
export async function settingsView({ realm, el, go }) {
  /** @type {{ realm: string, displayName?: string, enabled: boolean, accessTokenLifespan: number, ssoSessionIdleTimeout: number, ssoSessionMaxLifespan: number, offlineSessionIdleTimeout: number, attributes: Record<string, string> }} */
  const rep = await api('GET', realmPath(realm));
  const text = (/** @type {string} */ v) => /** @type {HTMLInputElement} */ (h('input', { type: 'text', value: v }));
  const num = (/** @type {number} */ v) =>
    /** @type {HTMLInputElement} */ (h('input', { type: 'number', min: 1, value: v }));
  const f = {
    displayName: text(rep.displayName ?? ''),
    accessTokenLifespan: num(rep.accessTokenLifespan),
    ssoSessionIdleTimeout: num(rep.ssoSessionIdleTimeout),
    ssoSessionMaxLifespan: num(rep.ssoSessionMaxLifespan),
    offlineSessionIdleTimeout: num(rep.offlineSessionIdleTimeout),
    allowHttp: /** @type {HTMLInputElement} */ (
      h('input', { type: 'checkbox', checked: rep.attributes[ALLOW_HTTP] === 'true' })
    ),
  };
  const alert = h('div', { role: 'alert', class: 'form-alert', hidden: true });
  /** @param {Event} e */
  const save = async (e) => {
    e.preventDefault();
    alert.hidden = true;
    const others = Object.fromEntries(Object.entries(rep.attributes).filter(([k]) => k !== ALLOW_HTTP));
    const attributes = f.allowHttp.checked ? { ...others, [ALLOW_HTTP]: 'true' } : others;
    try {
      await api('PUT', realmPath(realm), {
        displayName: f.displayName.value,
        accessTokenLifespan: Number(f.accessTokenLifespan.value),
        ssoSessionIdleTimeout: Number(f.ssoSessionIdleTimeout.value),
        ssoSessionMaxLifespan: Number(f.ssoSessionMaxLifespan.value),
        offlineSessionIdleTimeout: Number(f.offlineSessionIdleTimeout.value),
        attributes,
      });
      toast(`Saved realm ${realm}.`);
      go(`#/${encodeURIComponent(realm)}/settings`);
    } catch (err) {
      alert.hidden = false;
      replace(alert, h('strong', {}, 'Not saved: '), err instanceof ApiError ? err.message : String(err));
    }
  };
  replace(
    el,
    h('h1', {}, 'Realm settings'),
    h(
      'form',
      { class: 'settings', onsubmit: save, novalidate: true },
      alert,
      field('display-name', 'Display name', f.displayName),
      field('access-lifespan', 'Access token lifespan (seconds)', f.accessTokenLifespan),
      field(
        'sso-idle',
        'SSO session idle timeout (seconds)',
        f.ssoSessionIdleTimeout,
        'A session ends after this long without use; its clients get logout tokens.',
      ),
      field('sso-max', 'SSO session max lifespan (seconds)', f.ssoSessionMaxLifespan),
      field('offline-idle', 'Offline session idle timeout (seconds)', f.offlineSessionIdleTimeout),
      field('allow-http', 'Allow http back-channel logout URLs (confidential clients; development only)', f.allowHttp),
      h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary' }, 'Save')),
    ),
  );
}
