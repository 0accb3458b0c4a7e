// Nothing that a restart would lose is held only in memory: users, SSO sessions, refresh
// tokens and signing keys survive a restart on the same data, on every store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Browser, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, basic, form, pkce } from '../helpers/oauth.ts';
import { startRealServer } from '../helpers/server.ts';

for (const database of TEST_DATABASES) {
  test(
    `restart on ${database.name} keeps users, sessions, refresh tokens and signing keys`,
    {
      skip: database.skip,
    },
    async () => {
      const created = await database.create();
      try {
        let server = await startRealServer(created.config);
        // Requests go to the port the server listens on now; the issuer stays the first one's.
        const oidcBase = () => `http://localhost:${server.port}/realms/test/protocol/openid-connect`;
        const browser = new Browser((input, init) => fetch(input, init));
        const { verifier, challenge } = pkce();
        const back = await signIn(
          browser,
          authUrl(
            {
              client_id: 'web',
              redirect_uri: 'https://web.example/callback',
              code_challenge: challenge,
              code_challenge_method: 'S256',
            },
            oidcBase(),
          ),
          'alice',
          'alice-pw',
        );
        const tokenRes = await fetch(
          `${oidcBase()}/token`,
          form(
            {
              grant_type: 'authorization_code',
              code: back.searchParams.get('code')!,
              redirect_uri: 'https://web.example/callback',
              code_verifier: verifier,
            },
            { authorization: basic('web', 'web-secret') },
          ),
        );
        const tokens = (await tokenRes.json()) as Record<string, string>;
        const jwksBefore = await (await fetch(`${oidcBase()}/certs`)).json();
        await server.close();

        // The same issuer, on a port of its own: the first port, once closed, is not ours to reuse.
        server = await startRealServer(created.config, ['--public-url', server.url]);
        try {
          assert.deepEqual(await (await fetch(`${oidcBase()}/certs`)).json(), jwksBefore, 'same signing keys');
          const userinfo = await fetch(`${oidcBase()}/userinfo`, {
            headers: { authorization: `Bearer ${tokens.access_token}` },
          });
          assert.equal(userinfo.status, 200, 'access token still valid');
          const sso = await browser.get(
            authUrl({ client_id: 'web', redirect_uri: 'https://web.example/callback', prompt: 'none' }, oidcBase()),
          );
          assert.equal(sso.status, 302);
          assert.ok(new URL(sso.headers.get('location')!).searchParams.get('code'), 'SSO session survived');
          const refresh = await fetch(
            `${oidcBase()}/token`,
            form(
              { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
              { authorization: basic('web', 'web-secret') },
            ),
          );
          assert.equal(refresh.status, 200, 'refresh token survived');
          const pw = await fetch(
            `${oidcBase()}/token`,
            form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'alice-pw' }),
          );
          assert.equal(pw.status, 200, 'users survived');
        } finally {
          await server.close();
        }
      } finally {
        await created.drop();
      }
    },
  );
}
