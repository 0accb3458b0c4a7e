// App Three: a single-page app with keycloak-js, unchanged, and no build step — this server
// only hands out two static pages and keycloak-js's own ES module from node_modules. The app
// signs in by SSO (check-sso through a silent iframe) and notices a logout made anywhere else
// without a reload and without a back channel: through Sundown's login-status iframe, which also
// asks Sundown whether the session still lives (so an administrator's logout or expiry shows
// within the poll interval), and through its front-channel logout page, which the signed-out page
// loads in an iframe and which tells this app's open tabs on a BroadcastChannel. Both work here
// because the demo's apps and Sundown share a site (localhost): browsers that block third-party
// cookies or partition storage by top-level site stop both across sites.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { listen, type ListenOptions } from '../shared/listen.ts';

export interface SpaOptions extends ListenOptions {
  /** Sundown's base URL (keycloak-js's `url`), e.g. http://localhost:8080. */
  sundownUrl: string;
  realm: string;
  clientId: string;
}

/** How often the app asks the login-status iframe (keycloak-js's default is 5 s). */
const CHECK_SECONDS = 2;

const KEYCLOAK_JS = readFileSync(fileURLToPath(import.meta.resolve('keycloak-js')), 'utf8');

function appPage(o: SpaOptions): string {
  const config = JSON.stringify({ url: o.sundownUrl, realm: o.realm, clientId: o.clientId });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>App Three · keycloak-js</title><style>
:root{color-scheme:light dark;--a:#7c3aed}*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:color-mix(in srgb,var(--a) 8%,Canvas);color:CanvasText;padding:1.5rem}
main{width:100%;max-width:26rem;background:Canvas;border-radius:14px;padding:2rem;border:1px solid color-mix(in srgb,CanvasText 12%,transparent);box-shadow:0 10px 30px rgb(0 0 0/.06)}
.app{font-weight:650;color:var(--a);letter-spacing:.02em;font-size:.9rem}h1{font-size:1.4rem;margin:.25rem 0 1rem}
.state{display:inline-block;margin:0;padding:.15rem .6rem;border-radius:99px;font-size:.8rem;font-weight:600}.in{background:#dcfce7;color:#166534}.out{background:#fee2e2;color:#991b1b}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0 0 1.25rem}dt{color:color-mix(in srgb,CanvasText 60%,transparent)}dd{margin:0;word-break:break-all}code{font-size:.85rem}
button{width:100%;padding:.7rem;font:inherit;font-weight:650;border:0;border-radius:8px;background:var(--a);color:#fff;cursor:pointer}button:focus-visible{outline:3px solid color-mix(in srgb,var(--a) 50%,transparent);outline-offset:2px}
.note{font-size:.8rem;color:color-mix(in srgb,CanvasText 55%,transparent);margin-top:1.25rem}[hidden]{display:none}
</style></head><body><main><div class="app">App Three · keycloak-js</div>
<section id="loading"><p>Checking your session…</p></section>
<section id="in" hidden><p class="state in">Signed in</p><h1>Hello, <span id="name"></span></h1>
<dl><dt>User</dt><dd id="username"></dd><dt>Session (sid)</dt><dd><code data-testid="sid" id="sid"></code></dd></dl>
<button id="logout" type="button">Sign out</button></section>
<section id="out" hidden><p class="state out" data-testid="signed-out">Signed out</p><h1>Welcome to App Three</h1>
<p id="why">Sign in with your Sundown account.</p><button id="login" type="button">Sign in</button></section>
<p class="note">A single-page app: keycloak-js signs in by SSO in a hidden iframe and watches Sundown's login-status iframe every ${CHECK_SECONDS} s, so a logout anywhere shows here without a reload.</p></main>
<script type="module">
import Keycloak from '/lib/keycloak.js';
const kc = new Keycloak(${config});
const show = (id) => { for (const s of ['loading', 'in', 'out']) document.getElementById(s).hidden = s !== id; };
function render() {
  if (!kc.authenticated) return show('out');
  const t = kc.idTokenParsed;
  document.getElementById('name').textContent = t.name ?? t.preferred_username;
  document.getElementById('username').textContent = t.preferred_username;
  document.getElementById('sid').textContent = t.sid;
  show('in');
}
kc.onAuthLogout = () => {
  document.getElementById('why').textContent = 'You signed out in another application.';
  render();
};
// Front-channel logout (FCL §2): the signed-out page's iframe of this app names the session that ended.
new BroadcastChannel('app-three-logout').onmessage = (e) => {
  if (!kc.authenticated || e.data?.sid !== kc.idTokenParsed?.sid) return;
  kc.clearToken();
  document.getElementById('why').textContent = 'You signed out in another application.';
  render();
};
document.getElementById('login').addEventListener('click', () => kc.login());
document.getElementById('logout').addEventListener('click', () => kc.logout({ redirectUri: location.origin + '/' }));
kc.init({ onLoad: 'check-sso', silentCheckSsoRedirectUri: location.origin + '/silent-check-sso.html', checkLoginIframeInterval: ${CHECK_SECONDS}, scope: 'openid profile' })
  .then(render, (err) => { document.getElementById('why').textContent = 'Sign-in failed: ' + (err?.message ?? err?.error ?? err); show('out'); });
</script></body></html>`;
}

/**
 * The front-channel logout URL (FCL §2): loaded by Sundown's signed-out page in an iframe with
 * `iss` and `sid`; it tells this app's open tabs, which drop their tokens if the sid is theirs.
 */
const FRONTCHANNEL_LOGOUT =
  '<!doctype html><html><body><script>const q=new URLSearchParams(location.search);new BroadcastChannel("app-three-logout").postMessage({iss:q.get("iss"),sid:q.get("sid")})</script></body></html>';

/** keycloak-js's documented silent-check-sso page: hands the response to the app. */
const SILENT_CHECK_SSO =
  '<!doctype html><html><body><script>parent.postMessage(location.href, location.origin)</script></body></html>';

export async function startAppThree(o: SpaOptions): Promise<{ url: string; close(): Promise<void> }> {
  const page = appPage(o);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (type: string, body: string) =>
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache' }).end(body);
    if (path === '/') return send('text/html', page);
    if (path === '/silent-check-sso.html') return send('text/html', SILENT_CHECK_SSO);
    if (path === '/frontchannel-logout') return send('text/html', FRONTCHANNEL_LOGOUT);
    if (path === '/lib/keycloak.js') return send('text/javascript', KEYCLOAK_JS);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
  await listen(server, o);
  return { url: `http://localhost:${o.port}`, close: () => new Promise((r) => server.close(() => r())) };
}
