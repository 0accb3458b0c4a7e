// Across processes a new delivery is attempted at once: the writer NOTIFYs, and a listening
// worker wakes without waiting for its poll (PostgreSQL).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createProvider } from '../../../src/provider.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { openStore } from '../../../src/store/database.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { logoutRealmJson } from '../../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { OIDC } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

const postgres = TEST_DATABASES[1]!;

test(
  "a delivery written by a process without a worker is sent by another process's worker at once",
  { skip: postgres.skip },
  async () => {
    const created = await postgres.create();
    const receiver = await Receiver.start();
    const writerStore = await openStore(created.config);
    const workerStore = await openStore(created.config);
    await importRealm(writerStore.db, parseRealmJson(logoutRealmJson({ rp1: receiver.url, rp2: receiver.url })));
    const log = pino({ level: 'silent' });
    const writer = await createProvider(writerStore, { publicUrl: 'https://sso.test', log, background: false });
    const worker = await createProvider(workerStore, { publicUrl: 'https://sso.test', log });
    try {
      // Let the worker's first poll pass so only a notification can wake it in time.
      await new Promise((r) => setTimeout(r, 300));
      const res = await writer.fetch(
        new Request(
          `${OIDC}/token`,
          form(
            { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
            { authorization: basic('rp1', 'rp1-secret') },
          ),
        ),
      );
      const sid = decodeJwt(((await res.json()) as Record<string, string>).id_token!).payload.sid as string;
      const realm = (await writer.ctx.realms.realmByName('test'))!;
      const started = Date.now();
      await writer.ctx.logout.endSessions(realm, [sid], 'admin_session');
      await receiver.waitFor(1, 4000);
      const elapsed = receiver.received[0]!.at - started;
      assert.ok(elapsed < 1000, `delivered after ${elapsed} ms; the poll interval is 5000 ms`);
    } finally {
      await writer.close();
      await worker.close();
      await writerStore.close();
      await workerStore.close();
      await receiver.close();
      await created.drop();
    }
  },
);
