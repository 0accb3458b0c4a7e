// A provider over a fresh store with one realm imported from JSON, and a browser that walks a
// sign-in to the page after the password, for the tests of the pages that follow it.
import assert from 'node:assert/strict';
import { createProvider, type Provider } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { Browser, parseLoginForm } from './browser.ts';
import type { TestDatabase } from './databases.ts';
import { authUrl, form, pkce } from './oauth.ts';

export const BASE = 'https://sso.test';

export interface SignInSteps {
  store: Store;
  provider: Provider;
  fetch: (input: string | Request, init?: RequestInit) => Promise<Response>;
  oidc: string;
  /** A new browser, signed in with the password up to the next page (its HTML and form). */
  afterPassword(
    username: string,
    password: string,
    state?: string,
  ): Promise<{ browser: Browser; html: string; status: number; action: string; authRequest: string }>;
  /** The password grant of the realm's `app` client. */
  grant(username: string, password: string, extra?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function signInSteps(db: TestDatabase, realmJson: Record<string, unknown>): Promise<SignInSteps> {
  const created = await db.create();
  const store = await openStore(created.config);
  await importRealm(store.db, parseRealmJson(realmJson));
  const provider = await createProvider(store, { publicUrl: BASE, background: false });
  const fetch = async (input: string | Request, init?: RequestInit) =>
    provider.fetch(typeof input === 'string' ? new Request(input, init) : input);
  const oidc = `${BASE}/realms/${String(realmJson.realm)}/protocol/openid-connect`;
  return {
    store,
    provider,
    fetch,
    oidc,
    async afterPassword(username, password, state) {
      const browser = new Browser(fetch);
      const { challenge } = pkce();
      const open = await browser.get(
        authUrl(
          {
            client_id: 'app',
            redirect_uri: 'http://localhost/callback',
            code_challenge: challenge,
            code_challenge_method: 'S256',
            ...(state ? { state } : {}),
          },
          oidc,
        ),
      );
      const login = parseLoginForm(await open.text(), oidc);
      const res = await browser.post(login.action, { auth_request: login.authRequest, username, password });
      const html = await res.text();
      assert.equal(res.status, 200, html.slice(0, 400));
      const step = parseLoginForm(html, oidc);
      return { browser, html, status: res.status, action: step.action, authRequest: step.authRequest };
    },
    grant: (username, password, extra = {}) =>
      fetch(`${oidc}/token`, form({ grant_type: 'password', client_id: 'app', username, password, ...extra })),
    async close() {
      await provider.close();
      await store.close();
      await created.drop();
    },
  };
}

/** The realm's `app` client: public, the callback on localhost, password grant allowed. */
export const APP_CLIENT = {
  clientId: 'app',
  publicClient: true,
  redirectUris: ['http://localhost/callback'],
  directAccessGrantsEnabled: true,
};
