// Regression tests (issue 21, finding 2): Keycloak's masked value "**********" — what its partial
// export writes instead of a client secret — is never a credential. A realm file's masked client
// secret gives the client a newly generated secret (reported, and readable at …/client-secret),
// a token request with "**********" is invalid_client, a store that already holds the mask does
// not accept it, the admin API never stores it, and a masked user password is not a password —
// on every store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { parseStartConfig } from '../../src/config.ts';
import { importRealm, type ImportResult } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { startServer } from '../../src/server.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const MASK = '**********';
const ADMIN = `${ISSUER_BASE}/admin/realms`;
type Json = Record<string, unknown>;

/** The test realm as a Keycloak partial export would have it: every secret masked. */
function maskedRealm(extra: Json[] = []): unknown {
  return {
    realm: 'test',
    clients: [
      { clientId: 'svc', secret: MASK, standardFlowEnabled: false, serviceAccountsEnabled: true },
      { clientId: 'pw-app', secret: MASK, standardFlowEnabled: false, directAccessGrantsEnabled: true },
      { clientId: 'spa', publicClient: true, secret: MASK, redirectUris: ['https://spa.example/*'] },
      ...extra,
    ],
    users: [{ username: 'dora', enabled: true, credentials: [{ type: 'password', value: MASK }] }],
  };
}

for (const database of TEST_DATABASES) {
  describe(`masked secrets on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let adminToken: string;
    let imported: ImportResult;
    before(async () => {
      t = await startTestProvider(database);
      imported = await importRealm(
        t.store.db,
        parseRealmJson(
          maskedRealm([
            { clientId: 'kept', secret: 'kept-secret', serviceAccountsEnabled: true, directAccessGrantsEnabled: true },
          ]),
        ),
      );
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      adminToken = ((await res.json()) as { access_token: string }).access_token;
    });
    after(() => t?.close());

    const admin = (method: string, path: string, body?: unknown) =>
      t.fetch(`${ADMIN}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const clientCredentials = (clientId: string, secret: string) =>
      t.fetch(`${OIDC}/token`, form({ grant_type: 'client_credentials' }, { authorization: basic(clientId, secret) }));
    const clientCredentialsPost = (clientId: string, secret: string) =>
      t.fetch(`${OIDC}/token`, form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }));
    async function assertInvalidClient(res: Response): Promise<void> {
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as Json).error, 'invalid_client');
    }
    async function storedSecret(clientId: string): Promise<string | null> {
      const row = await t.store.db
        .selectFrom('client')
        .select('secret')
        .where('client_id', '=', clientId)
        .executeTakeFirstOrThrow();
      return row.secret;
    }
    async function clientUuid(clientId: string): Promise<string> {
      return ((await (await admin('GET', `/test/clients?clientId=${clientId}`)).json()) as Array<{ id: string }>)[0]!
        .id;
    }

    test('a token request with the masked secret "**********" of an imported realm file is invalid_client', async () => {
      await assertInvalidClient(await clientCredentials('svc', MASK));
      await assertInvalidClient(await clientCredentialsPost('svc', MASK));
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw' },
          { authorization: basic('pw-app', MASK) },
        ),
      );
      await assertInvalidClient(res);
    });

    test('an imported masked client secret is replaced by a generated one, reported with the client id and readable at …/client-secret', async () => {
      const svc = await clientUuid('svc');
      const pwApp = await clientUuid('pw-app');
      assert.deepEqual(
        [...imported.newSecrets].sort((a, b) => a.clientId.localeCompare(b.clientId)),
        [
          { clientId: 'pw-app', id: pwApp },
          { clientId: 'svc', id: svc },
        ],
      );
      assert.notEqual(await storedSecret('svc'), MASK);
      assert.equal(await storedSecret('spa'), null, 'a public client has no secret, masked or not');
      assert.equal(await storedSecret('kept'), 'kept-secret');
      const read = await admin('GET', `/test/clients/${svc}/client-secret`);
      assert.equal(read.status, 200);
      const credential = (await read.json()) as { type: string; value: string };
      assert.equal(credential.type, 'secret');
      assert.ok(credential.value.length >= 24 && credential.value !== MASK);
      assert.equal((await clientCredentials('svc', credential.value)).status, 200);
    });

    test('re-importing a masked secret keeps the real secret a client already has', async () => {
      const before = await storedSecret('svc');
      const again = await importRealm(t.store.db, parseRealmJson(maskedRealm()));
      assert.deepEqual(again.newSecrets, []);
      assert.equal(await storedSecret('svc'), before);
    });

    test('a store that already holds the mask as a secret refuses it, and a re-import replaces it', async () => {
      // As an import made before this fix left it.
      await t.store.db.updateTable('client').set({ secret: MASK }).where('client_id', '=', 'pw-app').execute();
      await assertInvalidClient(
        await t.fetch(
          `${OIDC}/token`,
          form({ grant_type: 'password', username: 'dora', password: 'x' }, { authorization: basic('pw-app', MASK) }),
        ),
      );
      const again = await importRealm(t.store.db, parseRealmJson(maskedRealm()));
      assert.deepEqual(again.newSecrets, [{ clientId: 'pw-app', id: await clientUuid('pw-app') }]);
      assert.notEqual(await storedSecret('pw-app'), MASK);
    });

    test('a masked user password is not a password', async () => {
      assert.ok(imported.warnings.some((w) => w.startsWith('user dora:') && w.includes('mask')));
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'dora', password: MASK },
          { authorization: basic('kept', 'kept-secret') },
        ),
      );
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as Json).error, 'invalid_grant');
    });

    test('the admin API never stores the mask as a secret: create generates one, update keeps the current one', async () => {
      const created = await admin('POST', '/test/clients', {
        clientId: 'via-admin',
        secret: MASK,
        standardFlowEnabled: false,
        serviceAccountsEnabled: true,
      });
      assert.equal(created.status, 201, await created.clone().text());
      const generated = await storedSecret('via-admin');
      assert.ok(generated !== null && generated !== MASK);
      await assertInvalidClient(await clientCredentials('via-admin', MASK));

      const id = await clientUuid('kept');
      assert.equal((await admin('PUT', `/test/clients/${id}`, { secret: MASK, name: 'Kept' })).status, 204);
      assert.equal(await storedSecret('kept'), 'kept-secret');
      await assertInvalidClient(await clientCredentials('kept', MASK));
      assert.equal((await clientCredentials('kept', 'kept-secret')).status, 200);

      // A realm created through the admin API is an import like any other.
      assert.equal(
        (await admin('POST', '', { realm: 'from-export', clients: [{ clientId: 'exported', secret: MASK }] })).status,
        201,
      );
      const row = await t.store.db
        .selectFrom('client')
        .innerJoin('realm', 'realm.id', 'client.realm_id')
        .select('client.secret')
        .where('realm.name', '=', 'from-export')
        .executeTakeFirstOrThrow();
      assert.ok(row.secret !== null && row.secret !== MASK);
    });

    test('a masked value is not a new password at reset-password', async () => {
      const users = (await (await admin('GET', '/test/users?username=alice')).json()) as Array<{ id: string }>;
      const res = await admin('PUT', `/test/users/${users[0]!.id}/reset-password`, {
        type: 'password',
        value: MASK,
        temporary: false,
      });
      assert.equal(res.status, 400);
    });
  });
}

test('start-up import warns which clients got a new secret for a masked one, and where to read it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-masked-'));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  try {
    const file = join(dir, 'realm.json');
    writeFileSync(file, JSON.stringify(maskedRealm()));
    const config = parseStartConfig(
      ['--port', '0', '--host', '127.0.0.1', '--data-dir', dir, '--import-realm', file],
      {},
    );
    const server = await startServer(config, pino({ level: 'warn' }, sink));
    try {
      const ids = new Map(
        (
          await server.store.db
            .selectFrom('client')
            .select(['id', 'client_id'])
            .where('client_id', 'in', ['svc', 'pw-app'])
            .execute()
        ).map((r) => [r.client_id, r.id]),
      );
      const warnings = lines
        .map((l) => JSON.parse(l) as { msg: string })
        .filter((l) => l.msg.includes('new generated secret'));
      assert.equal(warnings.length, 1, lines.join('\n'));
      const msg = warnings[0]!.msg;
      assert.ok(msg.includes(MASK), msg);
      assert.match(msg, /clients svc, pw-app had/);
      assert.match(msg, /GET \/admin\/realms\/test\/clients\/\{id\}\/client-secret/);
      assert.ok(msg.includes(`svc: ${ids.get('svc')}`) && msg.includes(`pw-app: ${ids.get('pw-app')}`), msg);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
