// The back-channel CA attribute (sundown.backchannel.ca.file): PEM certificates, or the name of
// a file in --backchannel-ca-dir — never a path; files read asynchronously, only regular files,
// size-capped, and checked to be certificates. Bad values are refused at import and in the admin
// API; a stored bad value is a named delivery cause (ca_invalid).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../../src/admin/bootstrap.ts';
import { caAttributeProblem } from '../../../src/logout/delivery/backchannel-ca.ts';
import { checkClientBackchannel } from '../../../src/logout/diagnostics/doctor.ts';
import { parseRealmJson, RealmImportError } from '../../../src/realm-import/realm-json.ts';
import { selfSignedCert, type TestCert } from '../../helpers/certs.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl } from '../../helpers/logout-flow.ts';
import { basic, form } from '../../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

const CA = 'sundown.backchannel.ca.file';
const FAST = { retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 }, waitMs: 2000 };
const cert = selfSignedCert('IP:127.0.0.1');

type Delivery = { status: string; attempts: number; last_error: string | null };

async function lastDelivery(t: TestProvider, clientId: string): Promise<Delivery> {
  const end = Date.now() + 10_000;
  for (;;) {
    const rows = (await t.store.db
      .selectFrom('logout_delivery')
      .innerJoin('client', 'client.id', 'logout_delivery.client_id')
      .select(['logout_delivery.status', 'logout_delivery.attempts', 'logout_delivery.last_error'])
      .where('client.client_id', '=', clientId)
      .orderBy('logout_delivery.created_at')
      .execute()) as Delivery[];
    const d = rows.at(-1);
    if (d && d.attempts >= 1 && (d.status === 'delivered' || d.last_error !== null)) return d;
    if (Date.now() > end) throw new Error(`no attempt for ${clientId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function logoutThrough(t: TestProvider, clientId: string): Promise<void> {
  const res = await t.fetch(
    `${OIDC}/token`,
    form(
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
      { authorization: basic(clientId, `${clientId}-secret`) },
    ),
  );
  assert.equal(res.status, 200, await res.clone().text());
  await t.fetch(logoutUrl({ id_token_hint: ((await res.json()) as { id_token: string }).id_token }));
}

/** Stores an attribute value as an older release (or a direct database edit) may have left it. */
async function storeRaw(t: TestProvider, clientId: string, value: string): Promise<void> {
  const row = await t.store.db
    .selectFrom('client')
    .select(['id', 'attributes'])
    .where('client_id', '=', clientId)
    .executeTakeFirstOrThrow();
  await t.store.db
    .updateTable('client')
    .set({ attributes: JSON.stringify({ ...JSON.parse(row.attributes), [CA]: value }) })
    .where('id', '=', row.id)
    .execute();
}

const importClient = (attributes: Record<string, string>) => () =>
  parseRealmJson({
    realm: 'x',
    clients: [
      { clientId: 'a', secret: 's', attributes: { 'backchannel.logout.url': 'https://rp.example/bcl', ...attributes } },
    ],
  });

describe('CA attribute validation (import and admin API)', () => {
  test('ca file: PEM certificates and plain file names are accepted', () => {
    assert.equal(caAttributeProblem(cert.cert), null);
    assert.equal(caAttributeProblem(`# bundle\n${cert.cert}\n${cert.cert}`), null);
    assert.equal(caAttributeProblem('internal-ca.pem'), null);
    importClient({ [CA]: cert.cert })();
  });

  test('ca file: paths, traversal, bad PEM and private keys are refused at import with the field path (regression: any server path was read)', () => {
    for (const [value, message] of [
      [cert.certFile, /must be PEM certificates or the name of a file in --backchannel-ca-dir/],
      ['/etc/passwd', /no path/],
      ['../outside.pem', /no path/],
      ['sub/ca.pem', /no path/],
      ['..', /no path/],
      [
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
        /certificate 1 is not a valid X\.509 certificate/,
      ],
      ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', /holds no PEM certificate/],
      [`${cert.cert}\n${cert.key}`, /contains a private key/],
    ] as const) {
      assert.throws(
        importClient({ [CA]: value }),
        (err: unknown) =>
          err instanceof RealmImportError &&
          err.path === `$.clients[0].attributes["${CA}"]` &&
          message.test(err.message),
        value.slice(0, 40),
      );
    }
    assert.throws(
      () => parseRealmJson({ realm: 'x', attributes: { [CA]: '/etc/shadow' } }),
      (err: unknown) => err instanceof RealmImportError && err.path === `$.attributes["${CA}"]`,
    );
  });

  test('ca file: the admin API refuses a path with 400 naming the field', async () => {
    const r = await Receiver.start();
    const t = await startLogoutProvider(
      TEST_DATABASES[0]!,
      { rp1: r.url, rp2: r.url },
      { logout: { waitMs: 0 }, background: false },
    );
    try {
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      const token = ((await res.json()) as { access_token: string }).access_token;
      const created = await t.fetch(`${ISSUER_BASE}/admin/realms/test/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'ca-path', secret: 's', attributes: { [CA]: '/etc/passwd' } }),
      });
      assert.equal(created.status, 400);
      assert.match(
        ((await created.json()) as { error_description: string }).error_description,
        /\$\.attributes\["sundown\.backchannel\.ca\.file"\]: must be PEM/,
      );
    } finally {
      await t.close();
      await r.close();
    }
  });
});

for (const database of TEST_DATABASES) {
  describe(`CA attribute in delivery and doctor on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r: Receiver;
    let caDir: string;
    before(async () => {
      const root = mkdtempSync(join(tmpdir(), 'sundown-ca-'));
      caDir = join(root, 'ca');
      mkdirSync(caDir);
      writeFileSync(join(caDir, 'receiver-ca.pem'), cert.cert);
      writeFileSync(join(caDir, 'not-a-cert.pem'), 'hello');
      writeFileSync(join(root, 'outside.pem'), cert.cert);
      execFileSync('mkfifo', [join(caDir, 'fifo.pem')]);
      r = await Receiver.start(cert as TestCert);
      const client = (clientId: string, ca: string) => ({
        clientId,
        secret: `${clientId}-secret`,
        directAccessGrantsEnabled: true,
        attributes: { 'backchannel.logout.url': r.url, [CA]: ca },
      });
      t = await startLogoutProvider(
        database,
        {
          rp1: r.url,
          rp2: r.url,
          extraClients: [
            client('ca-pem', cert.cert),
            client('ca-file', 'receiver-ca.pem'),
            client('ca-fifo', 'fifo.pem'),
            client('ca-missing', 'nope.pem'),
            client('ca-garbage', 'not-a-cert.pem'),
            client('ca-stored-path', 'placeholder.pem'),
            client('ca-stored-traversal', 'placeholder.pem'),
          ],
        },
        { logout: { ...FAST, http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000, caDir } } },
      );
      await storeRaw(t, 'ca-stored-path', join(caDir, 'fifo.pem'));
      await storeRaw(t, 'ca-stored-traversal', '../outside.pem');
    });
    after(async () => {
      await t?.close();
      await r?.close();
    });

    test('ca file: PEM in the attribute trusts a self-signed receiver', async () => {
      const n = r.received.length;
      await logoutThrough(t, 'ca-pem');
      assert.equal((await lastDelivery(t, 'ca-pem')).status, 'delivered');
      assert.equal(r.received.length, n + 1);
    });

    test('ca file: a file name in --backchannel-ca-dir trusts a self-signed receiver, in delivery and doctor', async () => {
      await logoutThrough(t, 'ca-file');
      assert.equal((await lastDelivery(t, 'ca-file')).status, 'delivered');
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const result = (await checkClientBackchannel(
        t.provider.ctx,
        t.provider.http,
        realm,
        (await t.provider.ctx.realms.clientByClientId(realm.id, 'ca-file'))!,
      ))!;
      assert.equal(result.tls?.ok, true, JSON.stringify(result));
      assert.equal(result.ok, true);
    });

    for (const [clientId, what, cause] of [
      [
        'ca-stored-path',
        'a stored absolute path (of a FIFO)',
        /^ca_invalid: sundown\.backchannel\.ca\.file must be PEM certificates or the name of a file/,
      ],
      ['ca-stored-traversal', 'a stored ../ traversal', /^ca_invalid: sundown\.backchannel\.ca\.file must be PEM/],
      ['ca-fifo', 'a FIFO in the CA folder', /^ca_invalid: CA file "fifo\.pem" is not a regular file/],
      [
        'ca-missing',
        'a missing file',
        /^ca_invalid: CA file "nope\.pem" cannot be opened in --backchannel-ca-dir \(ENOENT\)/,
      ],
      [
        'ca-garbage',
        'a file that holds no certificate',
        /^ca_invalid: CA file "not-a-cert\.pem" holds no PEM certificate/,
      ],
    ] as const) {
      test(`ca file: ${what} is refused as ca_invalid without blocking the event loop, and nothing is sent`, async () => {
        const delay = monitorEventLoopDelay({ resolution: 20 });
        delay.enable();
        const n = r.received.length;
        // Regression: readFileSync on a FIFO waited for a writer with the event loop stopped.
        // A writer that opens the FIFO after 5 s would end such a wait; nothing may take that long.
        const fifoWriter = execFileSync(
          'sh',
          ['-c', `(sleep 5; : > '${join(caDir, 'fifo.pem')}') >/dev/null 2>&1 & echo $!`],
          { encoding: 'utf8' },
        ).trim();
        try {
          await logoutThrough(t, clientId);
          const d = await lastDelivery(t, clientId);
          assert.equal(d.status, 'retrying');
          assert.match(d.last_error!, cause);
          assert.equal(r.received.length, n);
          const realm = (await t.provider.ctx.realms.realmByName('test'))!;
          const result = (await checkClientBackchannel(
            t.provider.ctx,
            t.provider.http,
            realm,
            (await t.provider.ctx.realms.clientByClientId(realm.id, clientId))!,
          ))!;
          assert.match(`${result.tls!.cause}: ${result.tls!.detail}`, cause);
          assert.equal(result.logoutToken.detail, 'skipped');
        } finally {
          delay.disable();
          execFileSync('kill', [fifoWriter]);
        }
        assert.ok(delay.max / 1e6 < 2500, `the event loop stalled for ${Math.round(delay.max / 1e6)} ms`);
      });
    }
  });
}
