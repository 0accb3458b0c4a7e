// An upstream OpenID provider we did not write — node-oidc-provider, with back-channel logout and
// RP-initiated logout on — and a Sundown server on a loopback socket that brokers to it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import Provider from 'oidc-provider';
import { createProvider, type Provider as Sundown } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import type { TestDatabase } from './databases.ts';

export interface Upstream {
  issuer: string;
  provider: Provider;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** node-oidc-provider with one client: Sundown's broker (`clientId`), whose URLs are at `sundownRealm`. */
export async function startUpstream(clientId: string, sundownRealm: string, alias = 'up'): Promise<Upstream> {
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: `${clientId}-secret`,
        token_endpoint_auth_method: 'client_secret_post',
        redirect_uris: [`${sundownRealm}/broker/${alias}/endpoint`],
        post_logout_redirect_uris: [`${sundownRealm}/broker/${alias}/endpoint/logout_response`],
        backchannel_logout_uri: `${sundownRealm}/protocol/openid-connect/logout/backchannel-logout`,
        backchannel_logout_session_required: true,
      },
    ],
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'given_name'] },
    cookies: { keys: ['upstream-test-key'] },
    // Its SSRF guard refuses loopback targets; every peer of these tests is on loopback.
    fetch: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: `${id}@example.com`,
            email_verified: !id.startsWith('unverified'),
            preferred_username: id,
            given_name: id,
          };
        },
      };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    provider,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The broker's identity provider representation (Keycloak's realm JSON) for an upstream. */
export function upstreamIdp(up: Upstream, clientId: string, extra: Record<string, unknown> = {}, alias = 'up') {
  return {
    alias,
    providerId: 'oidc',
    displayName: `Upstream ${alias}`,
    enabled: true,
    trustEmail: true,
    ...extra,
    config: {
      issuer: up.issuer,
      authorizationUrl: `${up.issuer}/auth`,
      tokenUrl: `${up.issuer}/token`,
      jwksUrl: `${up.issuer}/jwks`,
      userInfoUrl: `${up.issuer}/me`,
      defaultScope: 'openid email profile',
      logoutUrl: `${up.issuer}/session/end`,
      clientId,
      clientSecret: `${clientId}-secret`,
      clientAuthMethod: 'client_secret_post',
      pkceEnabled: 'true',
      sendIdTokenOnLogout: 'true',
      backchannelSupported: 'true',
      ...((extra.config as Record<string, string> | undefined) ?? {}),
    },
  };
}

export interface BrokeringSundown {
  base: string;
  provider: Sundown;
  store: Store;
  close(): Promise<void>;
}

/** Sundown on a loopback port with `realm(base)` imported (the realm needs the port in its URLs). */
export async function startBrokeringSundown(
  database: TestDatabase,
  realms: (base: string) => unknown[] | Promise<unknown[]>,
): Promise<BrokeringSundown> {
  const created = await database.create();
  const store = await openStore(created.config);
  const ready: { sundown?: Sundown } = {};
  const server = createAdaptorServer({ fetch: (req, env) => ready.sundown!.fetch(req, env) }) as Server;
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  for (const realm of await realms(base)) await importRealm(store.db, parseRealmJson(realm));
  const sundown = await createProvider(store, { publicUrl: base, logout: { waitMs: 2000 } });
  ready.sundown = sundown;
  return {
    base,
    provider: sundown,
    store,
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sundown.close();
      await store.close();
      await created.drop();
    },
  };
}

/**
 * Follows a browser's redirects from `url`, signing in at the upstream's dev interaction pages as
 * `login`, until a redirect leaves for `stopAt` (returned) or a page is answered (returned).
 */
export async function browse(browser: WebBrowser, url: string, login: string, stopAt: string): Promise<Response | URL> {
  let res = await browser.get(url);
  for (let i = 0; i < 30; i++) {
    const location = res.headers.get('location');
    if (location && res.status >= 300 && res.status < 400) {
      const next = new URL(location, url);
      if (next.toString().startsWith(stopAt)) return next;
      url = next.toString();
      res = await browser.get(url);
      continue;
    }
    const body = await res.text();
    // A Sundown realm as the upstream: its own sign-in form.
    const sundownForm = /<form method="post" action="([^"]+)"/.exec(body)?.[1];
    const authRequest = /name="auth_request" value="([^"]+)"/.exec(body)?.[1];
    if (res.status === 200 && sundownForm && authRequest && body.includes('name="password"')) {
      url = new URL(sundownForm.replace(/&amp;/g, '&'), url).toString();
      res = await browser.post(url, { auth_request: authRequest, username: login, password: `${login}-pw` });
      continue;
    }
    const prompt = /name="prompt" value="(login|consent)"/.exec(body)?.[1];
    if (res.status === 200 && prompt && url.includes('/interaction/')) {
      const fields: Record<string, string> = { prompt };
      if (prompt === 'login') Object.assign(fields, { login, password: 'any' });
      res = await browser.post(url, fields);
      continue;
    }
    return new Response(body, { status: res.status, headers: res.headers });
  }
  throw new Error('too many redirects');
}

/** What browse() drives: a browser with a cookie jar. */
export interface WebBrowser {
  get(url: string): Promise<Response>;
  post(url: string, form: Record<string, string>): Promise<Response>;
}

/**
 * A browser whose cookie jar keeps each cookie's Path, as real browsers do: two realms of one
 * Sundown set cookies of the same names under /realms/a/ and /realms/b/.
 */
export class PathBrowser implements WebBrowser {
  readonly #jar = new Map<string, { name: string; value: string; path: string }>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const { pathname } = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = [...this.#jar.values()].filter((c) => pathname.startsWith(c.path));
    if (cookies.length > 0) headers.set('cookie', cookies.map((c) => `${c.name}=${c.value}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path = attrs.map((a) => /^\s*path=(.*)$/i.exec(a)?.[1]?.trim()).find((p) => p !== undefined) ?? '/';
      const key = `${path}\u0000${name}`;
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.#jar.delete(key);
      else this.#jar.set(key, { name, value, path });
    }
    return res;
  }

  get(url: string): Promise<Response> {
    return this.request(url);
  }

  post(url: string, form: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}
