// The seeds' own stacks against a real Sundown (with `--http-relative-path /auth`, as the seeds'
// URLs have it), over real sockets on 127.0.0.1, using Debian's Python packages:
// - examples/python-flask: Authlib sign-in; back-channel logout from `request.values`, validated
//   with PyJWT; a logout from another client ends Flask's session through the back channel.
// - examples/python-django: the seed's logout view with only the legacy `redirect_uri`; the user
//   confirms, every RP is told, and the browser comes back to Django.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseStartConfig } from '../../packages/server/src/config.ts';
import { importRealm } from '../../packages/server/src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../packages/server/src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../packages/server/src/server.ts';
import { Browser, signIn } from '../../packages/server/test/helpers/browser.ts';

const PYTHON = '/usr/bin/python3';
const MODULES = ['flask', 'jwt', 'authlib', 'requests', 'django'];
const PACKAGES = 'python3-flask python3-jwt python3-authlib python3-requests python3-django';
const EXAMPLES = new URL('..', import.meta.url).pathname;
const DJANGO_ON_ANY_PORT = `
import os, socketserver, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seedsite.settings")
import django
django.setup()
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, get_internal_wsgi_application
class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
httpd = Server(("127.0.0.1", 0), WSGIRequestHandler)
httpd.set_app(get_internal_wsgi_application())
print(f"django-app listening on http://127.0.0.1:{httpd.server_port}", flush=True)
httpd.serve_forever()
`;

function whyNot(): string | undefined {
  if (!existsSync(PYTHON)) return `SKIPPED: ${PYTHON} is not installed (apt-get install python3 ${PACKAGES})`;
  const missing = MODULES.filter((m) => spawnSync(PYTHON, ['-c', `import ${m}`]).status !== 0);
  return missing.length > 0
    ? `SKIPPED: Python modules missing: ${missing.join(', ')} (apt-get install ${PACKAGES})`
    : undefined;
}
const skip = whyNot();
if (skip) console.log(`# python seeds suite ${skip}`);

/** A Python process of ours, with its output kept for failure messages. */
class PythonApp {
  readonly child: ChildProcess;
  output = '';
  constructor(args: string[], cwd: string, env: Record<string, string>) {
    this.child = spawn(PYTHON, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONUNBUFFERED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => void (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => void (this.output += d.toString()));
  }

  /** The port the app says it bound (it was given port 0). */
  async boundPort(said: RegExp): Promise<number> {
    for (let i = 0; i < 150; i++) {
      const m = said.exec(this.output);
      if (m && Number(m[1]) > 0) return Number(m[1]);
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no port in the output (${said}):\n${this.output}`);
  }

  async ready(url: string): Promise<void> {
    for (let i = 0; i < 150; i++) {
      if (this.child.exitCode !== null) throw new Error(`exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(url)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${url} never answered:\n${this.output}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Follows redirects through the cookie jar until a page (not a redirect) answers. */
async function follow(browser: Browser, url: string): Promise<{ url: string; res: Response }> {
  let current = url;
  for (let i = 0; i < 10; i++) {
    const res = await browser.get(current);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return { url: current, res };
    current = new URL(location, current).toString();
  }
  throw new Error(`too many redirects from ${url}`);
}

describe("the seeds' Python apps against Sundown (--http-relative-path /auth)", { skip }, () => {
  let dir: string;
  let sundown: RunningServer;
  let flask: PythonApp;
  let django: PythonApp;
  let sundownUrl: string;
  let flaskUrl: string;
  let djangoUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-seeds-'));
    // Every server binds port 0 and says which port it got; the realm, which names the apps'
    // URLs, is imported once they are known.
    sundown = await startServer(
      parseStartConfig(
        ['--port', '0', '--host', '127.0.0.1', '--http-relative-path', '/auth', '--data-dir', join(dir, 'data')],
        {},
      ),
      pino({ level: 'silent' }),
    );
    sundownUrl = sundown.url;

    const common = { SUNDOWN_URL: `${sundownUrl}/auth`, SUNDOWN_REALM: 'seed' };
    flask = new PythonApp([join(EXAMPLES, 'python-flask/app.py')], dir, {
      ...common,
      CLIENT_ID: 'flask-app',
      CLIENT_SECRET: 'flask-app-secret',
      PORT: '0',
    });
    const djangoDir = join(EXAMPLES, 'python-django');
    const djangoEnv = {
      ...common,
      CLIENT_ID: 'django-app',
      CLIENT_SECRET: 'django-app-secret',
      DJANGO_DB: join(dir, 'django.sqlite3'),
    };
    const migrate = spawnSync(PYTHON, ['manage.py', 'migrate', '--noinput'], {
      cwd: djangoDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...djangoEnv },
      encoding: 'utf8',
    });
    assert.equal(migrate.status, 0, `${migrate.stdout}${migrate.stderr}`);
    // What `manage.py runserver` serves (Django's own WSGIServer and request handler, threaded),
    // on port 0: runserver would print the port it was given, not the one it bound.
    django = new PythonApp(['-c', DJANGO_ON_ANY_PORT], djangoDir, djangoEnv);
    flaskUrl = `http://127.0.0.1:${await flask.boundPort(/Running on http:\/\/127\.0\.0\.1:(\d+)/)}`;
    djangoUrl = `http://127.0.0.1:${await django.boundPort(/django-app listening on http:\/\/127\.0\.0\.1:(\d+)/)}`;

    // The shipped realm, pointed at this run's ports; loopback http needs no opt-in. A third
    // client stands for "another application" of the same SSO session.
    const realm = JSON.parse(
      readFileSync(join(EXAMPLES, 'realms/seed-realm.json'), 'utf8')
        .replaceAll('http://localhost:5000', flaskUrl)
        .replaceAll('http://localhost:8000', djangoUrl),
    ) as { clients: unknown[] };
    realm.clients.push({
      clientId: 'other-app',
      secret: 'other-secret',
      redirectUris: ['https://other.example/cb'],
      attributes: { 'post.logout.redirect.uris': 'https://other.example/bye' },
    });
    await importRealm(sundown.store.db, parseRealmJson(realm));
    await Promise.all([flask.ready(`${flaskUrl}/`), django.ready(`${djangoUrl}/`)]);
  });
  after(async () => {
    await Promise.all([flask?.stop(), django?.stop()]);
    await sundown?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const oidc = () => `${sundownUrl}/auth/realms/seed/protocol/openid-connect`;

  /** Signs the browser in to Flask through Sundown's login page; returns Flask's home page. */
  async function signInToFlask(browser: Browser): Promise<string> {
    const start = await browser.get(`${flaskUrl}/login`);
    assert.equal(start.status, 302, flask.output);
    const authorize = start.headers.get('location')!;
    assert.ok(authorize.startsWith(`${oidc()}/auth?`), authorize);
    const back = await signIn(browser, authorize, 'alice', 'alice-password');
    assert.equal(back.origin + back.pathname, `${flaskUrl}/auth`);
    const { res } = await follow(browser, back.toString());
    return res.text();
  }

  /** The SSO session's ID token for another client, through the code flow (no prompt). */
  async function otherAppIdToken(browser: Browser): Promise<string> {
    const res = await browser.get(
      `${oidc()}/auth?${new URLSearchParams({ response_type: 'code', client_id: 'other-app', redirect_uri: 'https://other.example/cb', scope: 'openid', state: 's' })}`,
    );
    const code = new URL(res.headers.get('location')!).searchParams.get('code');
    assert.ok(code, 'single sign-on: a code without a prompt');
    const token = await fetch(`${oidc()}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('other-app:other-secret').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://other.example/cb' }),
    });
    return ((await token.json()) as { id_token: string }).id_token;
  }

  test("Flask: Authlib sign-in via Sundown; a logout from another client ends Flask's session through the back channel", async () => {
    const browser = new Browser(fetch);
    assert.match(await signInToFlask(browser), /Signed in as alice/);
    const idToken = await otherAppIdToken(browser);

    const logout = await browser.get(
      `${oidc()}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://other.example/bye' })}`,
    );
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get('location'), 'https://other.example/bye');
    // Sundown waited for the first delivery before redirecting: Flask's session is already gone,
    // though the browser still sends Flask's session cookie.
    assert.ok(browser.cookie('flask_session'));
    assert.match(await (await browser.get(`${flaskUrl}/`)).text(), /Signed out/, flask.output);
    assert.match(flask.output, /back-channel logout: 1 session\(s\) ended/);
  });

  test("Flask's receiver refuses what is not a valid logout token with 400 and no-store", async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: `${sundownUrl}/auth/realms/seed`, aud: 'flask-app', iat: Math.floor(Date.now() / 1000), sid: 'x', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })).toString('base64url')}.`;
    for (const body of ['', 'logout_token=not-a-jwt', `logout_token=${none}`]) {
      const res = await fetch(`${flaskUrl}/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      assert.equal(res.status, 400, body);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    }
  });

  test("Django: the seed's legacy redirect_uri logout → confirmation → session ended, every RP told, back at Django", async () => {
    const browser = new Browser(fetch);
    assert.match(await signInToFlask(browser), /Signed in as alice/);
    // Django signs in by SSO: no password asked.
    const { res: djangoHome } = await follow(browser, `${djangoUrl}/login`);
    assert.match(await djangoHome.text(), /Signed in as alice/, django.output);

    // The seed's view: Django logs out, then sends the browser to the legacy logout URL.
    const view = await browser.get(`${djangoUrl}/logout`);
    assert.equal(view.status, 302);
    const legacy = new URL(view.headers.get('location')!);
    assert.equal(legacy.origin + legacy.pathname, `${oidc()}/logout`);
    assert.deepEqual([...legacy.searchParams.keys()], ['redirect_uri']);
    const confirm = await browser.get(legacy.toString());
    assert.equal(confirm.status, 200);
    const html = await confirm.text();
    assert.match(html, /Sign out\?/);
    assert.match(
      await (await browser.get(`${flaskUrl}/`)).text(),
      /Signed in as alice/,
      'nothing ends before the click',
    );

    const id = /name="logout_request" value="([^"]+)"/.exec(html)![1]!;
    const action = new URL(/action="([^"]+)"/.exec(html)![1]!, legacy).toString();
    const done = await browser.post(action, { logout_request: id });
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), `${djangoUrl}/`);
    // Every RP was told before the redirect: Flask's session ended through the back channel.
    assert.match(await (await browser.get(`${flaskUrl}/`)).text(), /Signed out/, flask.output);
    assert.match(await (await browser.get(`${djangoUrl}/`)).text(), /Signed out/);
    // And the SSO session is over: signing in to Flask asks for the password again.
    const again = await browser.get((await browser.get(`${flaskUrl}/login`)).headers.get('location')!);
    assert.equal(again.status, 200);
    assert.match(await again.text(), /name="password"/);
  });
});
