// A Sundown server in this process on a loopback port, with a realm built by the benchmark.
// PostgreSQL servers get a throwaway database of their own, dropped on close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  importRealm,
  parseRealmJson,
  parseStartConfig,
  type RunningServer,
  type ServerConfig,
  startServer,
} from '@sundown/server';
import { createThrowawayDatabase } from './postgres.ts';

export interface SundownBench {
  server: RunningServer;
  issuer: string;
  realm: string;
  close(): Promise<void>;
}

export interface SundownOptions {
  store?: 'sqlite' | 'postgres';
  args?: string[];
  env?: Record<string, string>;
  /** Adjusts the parsed configuration before the server starts (e.g. delivery concurrency). */
  configure?: (config: ServerConfig) => void;
}

export async function startSundown(
  realm: Record<string, unknown>,
  options: SundownOptions = {},
): Promise<SundownBench> {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-bench-'));
  const database = options.store === 'postgres' ? await createThrowawayDatabase() : undefined;
  const storeArgs = database ? ['--database-url', database.url] : ['--data-dir', dir];
  const config = parseStartConfig(
    ['--port', '0', '--log-level', 'silent', ...storeArgs, ...(options.args ?? [])],
    options.env ?? {},
  );
  options.configure?.(config);
  const server = await startServer(config, pino({ level: 'silent' }));
  const name = `b${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  await importRealm(
    server.store.db,
    parseRealmJson({ attributes: { backchannelLogoutAllowHttp: 'true' }, ...realm, realm: name }),
  );
  return {
    server,
    issuer: `${server.url}/realms/${name}`,
    realm: name,
    async close() {
      await server.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs a browser (cookie jar) in to `clientId` at Sundown: the form the first time, SSO after. */
export async function sundownSignIn(
  jar: { fetch(url: string, init?: RequestInit): Promise<Response> },
  issuer: string,
  clientId: string,
  redirectUri: string,
  user: string,
  password: string,
): Promise<Record<string, string>> {
  const oidc = `${issuer}/protocol/openid-connect`;
  let res = await jar.fetch(
    `${oidc}/auth?${new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid' })}`,
  );
  if (res.status === 200) {
    const html = await res.text();
    const id = /name="auth_request" value="([^"]+)"/.exec(html)![1]!;
    const action = new URL(/action="([^"]+)"/.exec(html)![1]!, oidc).toString();
    res = await jar.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ auth_request: id, username: user, password }).toString(),
    });
  }
  const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
  const tok = await fetch(`${oidc}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
  });
  return (await tok.json()) as Record<string, string>;
}
