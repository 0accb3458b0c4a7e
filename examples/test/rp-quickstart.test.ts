// The @sundown/rp quick start (examples/rp-quickstart/app.ts, shown as it is in packages/rp/README.md)
// run as a user runs it, against a started Sundown with the demo realm: sign in through the login
// form (PKCE and state kept in the typed session), then a sign-out in another app of the same SSO
// session reaches it through the back channel and ends its session. The shared stores of the
// multi-instance step connect to the local Redis and PostgreSQL.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseStartConfig } from '../../packages/server/src/config.ts';
import { type RunningServer, startServer } from '../../packages/server/src/server.ts';
import { Browser, signIn } from '../../packages/server/test/helpers/browser.ts';
import { demoRealm } from '../start-demo.ts';

const APP = new URL('../rp-quickstart/app.ts', import.meta.url).pathname;
const SHARED_STORE = new URL('../rp-quickstart/shared-store.ts', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Runs a file of examples/rp-quickstart as `npm run` would (Node 24, the `source` condition). */
function node(file: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', ...args, file], { env: { ...process.env, ...env } });
}

describe('the @sundown/rp quick start app', () => {
  let dir: string;
  let server: RunningServer;
  let app: ChildProcess;
  let appUrl: string;
  let appTwo: { port: number; redirectUri: string };
  const output: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-quickstart-'));
    const [appPort, twoPort] = [await freePort(), await freePort()];
    appUrl = `http://localhost:${appPort}`;
    appTwo = { port: twoPort, redirectUri: `http://localhost:${twoPort}/callback` };
    // The demo realm with App One (the quick start's client) and App Two moved to free ports.
    const realmFile = join(dir, 'demo-realm.json');
    writeFileSync(realmFile, JSON.stringify(demoRealm(appPort, twoPort, await freePort(), await freePort())));
    server = await startServer(
      parseStartConfig(['--port', '0', '--data-dir', join(dir, 'data'), '--import-realm', realmFile], {}),
      pino({ level: 'silent' }),
    );
    app = node(APP, { OIDC_ISSUER: `${server.url}/realms/demo`, PORT: String(appPort) });
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output.push(d.toString());
        if (/App listening on /.test(output.join(''))) resolve();
      };
      app.stdout!.on('data', onData);
      app.stderr!.on('data', onData);
      app.once('exit', (code) => reject(new Error(`the app exited (${code}):\n${output.join('')}`)));
    });
  });
  after(async () => {
    app?.kill('SIGTERM');
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('signs in through the login form, and a sign-out in another app reaches it through the back channel', async () => {
    const browser = new Browser((input, init) => fetch(input, init));
    const login = await browser.get(`${appUrl}/login`);
    assert.equal(login.status, 302);
    const auth = new URL(login.headers.get('location')!);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(auth.searchParams.get('state'));

    const callback = await signIn(browser, auth.href, 'alice', 'alice-password');
    assert.equal(callback.origin, appUrl);
    const back = await browser.get(callback.href);
    assert.equal(back.status, 302, await back.clone().text());
    assert.match(await (await browser.get(`${appUrl}/`)).text(), /Signed in as alice\./);

    // App Two joins the same SSO session without a password, then signs out at the provider.
    const oidc = `${server.url}/realms/demo/protocol/openid-connect`;
    const sso = await browser.get(
      `${oidc}/auth?${new URLSearchParams({ client_id: 'app-two', redirect_uri: appTwo.redirectUri, response_type: 'code', scope: 'openid' })}`,
    );
    assert.equal(sso.status, 302, 'single sign-on, no login form');
    const code = new URL(sso.headers.get('location')!).searchParams.get('code')!;
    const tokens = (await (
      await fetch(`${oidc}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: appTwo.redirectUri,
          client_id: 'app-two',
          client_secret: 'app-two-secret',
        }),
      })
    ).json()) as { id_token: string };
    const logout = await browser.get(
      `${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: `http://localhost:${appTwo.port}/` })}`,
    );
    assert.ok(logout.status < 400, `logout answered ${logout.status}`);

    // The logout token reached the quick start app, which ended its session.
    const deadline = Date.now() + 10_000;
    let page = '';
    while (Date.now() < deadline) {
      page = await (await browser.get(`${appUrl}/`)).text();
      if (/Signed out/.test(page)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(page, /Signed out\. <a href="\/login">Sign in<\/a>/);
  });

  const shared = [
    ['Redis', { REDIS_URL: process.env.SUNDOWN_TEST_REDIS_URL }],
    ['PostgreSQL', { DATABASE_URL: process.env.SUNDOWN_TEST_PG_URL }],
  ] as const;
  for (const [name, env] of shared) {
    const url = Object.values(env)[0];
    test(
      `the multi-instance step's shared store works on ${name}`,
      { skip: url ? undefined : 'SKIPPED: no server' },
      async () => {
        // Imports shared-store.ts as app.ts would, remembers a jti twice (the second is a replay), exits.
        const check = `const { store } = await import(${JSON.stringify(SHARED_STORE)});
        const jti = 'quickstart-' + Date.now();
        console.log(await store.rememberJti('https://sso.test', jti, 60), await store.rememberJti('https://sso.test', jti, 60));
        process.exit(0);`;
        const child = spawn(process.execPath, ['--conditions=source', '--input-type=module', '-e', check], {
          env: { ...process.env, REDIS_URL: '', DATABASE_URL: '', ...env },
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const code = await new Promise<number | null>((r) => child.on('exit', r));
        assert.equal(code, 0, out);
        assert.equal(out.trim(), 'true false');
      },
    );
  }
});
