// A Sundown server in this process on a loopback port, with a realm built by the benchmark.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { importRealm, parseRealmJson, parseStartConfig, type RunningServer, startServer } from '@sundown/server';

export interface SundownBench {
  server: RunningServer;
  issuer: string;
  realm: string;
  close(): Promise<void>;
}

export async function startSundown(realm: Record<string, unknown>, options: { store?: 'sqlite' | 'postgres'; args?: string[] } = {}): Promise<SundownBench> {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-bench-'));
  const storeArgs = options.store === 'postgres' ? ['--database-url', process.env.SUNDOWN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'] : ['--data-dir', dir];
  const config = parseStartConfig(['--port', '0', ...storeArgs, ...(options.args ?? [])], {});
  const server = await startServer(config, pino({ level: 'silent' }));
  const name = `b${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  await importRealm(server.store.db, parseRealmJson({ attributes: { backchannelLogoutAllowHttp: 'true' }, ...realm, realm: name }));
  return {
    server,
    issuer: `${server.url}/realms/${name}`,
    realm: name,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs a browser (cookie jar) in to `clientId` at Sundown: the form the first time, SSO after. */
export async function sundownSignIn(jar: { fetch(url: string, init?: RequestInit): Promise<Response> }, issuer: string, clientId: string, redirectUri: string, user: string, password: string): Promise<Record<string, string>> {
  const oidc = `${issuer}/protocol/openid-connect`;
  let res = await jar.fetch(`${oidc}/auth?${new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid' })}`);
  if (res.status === 200) {
    const html = await res.text();
    const id = /name="auth_request" value="([^"]+)"/.exec(html)![1]!;
    const action = new URL(/action="([^"]+)"/.exec(html)![1]!, oidc).toString();
    res = await jar.fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ auth_request: id, username: user, password }).toString() });
  }
  const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
  const tok = await fetch(`${oidc}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}` }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString() });
  return (await tok.json()) as Record<string, string>;
}
