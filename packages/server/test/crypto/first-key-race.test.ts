// Two server processes started at once on an empty PostgreSQL database race to create each
// realm's first signing key. Whichever wins, both must publish the same keys, and every token
// either signs — ID tokens, access tokens, logout tokens — must verify against either's JWKS:
// a strict RP answers 400 to a logout token it cannot verify, and a 400 is final.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import pg from 'pg';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { logoutRealmJson } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { type ServerProcess, startServerProcess } from '../helpers/process.ts';
import { Receiver } from '../helpers/receiver.ts';

const postgres = TEST_DATABASES[1]!;
const ISSUER = 'https://sso.test/realms/test';
const ROUNDS = 3;

async function passwordGrant(
  server: ServerProcess,
  clientId: string,
): Promise<{ id_token: string; access_token: string }> {
  const res = await fetch(
    `${server.url}/realms/test/protocol/openid-connect/token`,
    form(
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
      { authorization: basic(clientId, `${clientId}-secret`) },
    ),
  );
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { id_token: string; access_token: string };
}

async function certs(server: ServerProcess): Promise<JSONWebKeySet> {
  const res = await fetch(`${server.url}/realms/test/protocol/openid-connect/certs`);
  assert.equal(res.status, 200);
  return (await res.json()) as JSONWebKeySet;
}

test(
  `first-key race on PostgreSQL: two processes started at once publish the same keys; every token verifies against either JWKS (${ROUNDS} rounds)`,
  { skip: postgres.skip },
  async () => {
    const rp1 = await Receiver.start();
    const rp2 = await Receiver.start();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        rp1.received.length = 0;
        rp2.received.length = 0;
        const created = await postgres.create();
        const url = created.config.kind === 'postgres' ? created.config.url : '';
        // The realm exists, but no process has created a signing key for it yet.
        const setup = await openStore(created.config);
        await importRealm(setup.db, parseRealmJson(logoutRealmJson({ rp1: rp1.url, rp2: rp2.url })));
        await setup.close();
        const args = ['--database-url', url, '--logout-wait-ms', '0', '--public-url', 'https://sso.test'];
        const [a, b] = await Promise.all([startServerProcess(args), startServerProcess(args)]);
        try {
          // First use of each algorithm in both processes at once: rp1 signs RS256, rp2 ES256.
          const grants = await Promise.all([
            passwordGrant(a, 'rp1'),
            passwordGrant(b, 'rp1'),
            passwordGrant(a, 'rp2'),
            passwordGrant(b, 'rp2'),
          ]);
          const [jwksA, jwksB] = await Promise.all([certs(a), certs(b)]);
          const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid).sort();
          assert.deepEqual(kids(jwksA), kids(jwksB), `round ${round}: both processes publish the same keys`);
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          const { rows } = await client.query<{ alg: string; n: string }>(
            "SELECT alg, count(*) AS n FROM signing_key WHERE status = 'active' GROUP BY alg ORDER BY alg",
          );
          await client.end();
          assert.deepEqual(
            rows.map((r) => [r.alg, Number(r.n)]),
            [
              ['ES256', 1],
              ['RS256', 1],
            ],
            `round ${round}: one active key per algorithm`,
          );

          const verifiers = [createLocalJWKSet(jwksA), createLocalJWKSet(jwksB)];
          for (const grant of grants) {
            for (const keys of verifiers) {
              await jwtVerify(grant.id_token, keys, { issuer: ISSUER });
              await jwtVerify(grant.access_token, keys, { issuer: ISSUER });
            }
          }
          // Each session is logged out at the other process; whichever worker sends the token.
          const logouts = grants.map((g, i) =>
            fetch(
              `${(i % 2 ? a : b).url}/realms/test/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: g.id_token })}`,
            ),
          );
          for (const res of await Promise.all(logouts)) assert.equal(res.status, 200);
          await rp1.waitFor(2, 15_000);
          await rp2.waitFor(2, 15_000);
          const sids = grants.map((g) => decodeJwt(g.id_token).payload.sid).sort();
          const received = [...rp1.received, ...rp2.received];
          assert.deepEqual(received.map((r) => decodeJwt(r.token).payload.sid).sort(), sids);
          for (const { token } of received) {
            for (const keys of verifiers) await jwtVerify(token, keys, { issuer: ISSUER, typ: 'logout+jwt' });
          }
        } finally {
          await Promise.all([a.kill(), b.kill()]);
          await created.drop();
        }
      }
    } finally {
      await Promise.all([rp1.close(), rp2.close()]);
    }
  },
);
