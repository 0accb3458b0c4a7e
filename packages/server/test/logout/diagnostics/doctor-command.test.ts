// `sundown doctor`'s table: each failing check names its cause code first, so the code stays
// visible when the message is cut to the column width.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { runDoctorCommand } from '../../../src/commands/doctor-command.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { openStore } from '../../../src/store/database.ts';
import { selfSignedCert } from '../../helpers/certs.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { logoutRealmJson } from '../../helpers/logout-realm.ts';
import { ISSUER_BASE } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

test('sundown doctor: the table shows the cause code (certificate_self_signed, connection_refused) even when the message is cut', async () => {
  const selfSigned = await Receiver.start(selfSignedCert('IP:127.0.0.1'));
  const dead = await Receiver.start();
  const deadUrl = dead.url;
  await dead.close();
  const created = await TEST_DATABASES[0]!.create();
  try {
    const store = await openStore(created.config);
    await importRealm(store.db, parseRealmJson(logoutRealmJson({ rp1: selfSigned.url, rp2: deadUrl })));
    await store.close();
    let out = '';
    const code = await runDoctorCommand(
      {
        store: created.config,
        publicUrl: ISSUER_BASE,
        httpRelativePath: '',
        logLevel: 'silent',
        realm: 'test',
        backchannel: { denyCidrs: [], caDir: null },
      },
      ISSUER_BASE,
      pino({ level: 'silent' }),
      (s) => void (out += s),
    );
    assert.equal(code, 2, out);
    const row = (clientId: string) => out.split('\n').find((l) => l.startsWith(`${clientId} `))!;
    assert.match(row('rp1'), /FAIL certificate_self_signed: TLS certificate is self-sign/);
    assert.match(row('rp1'), /…/, 'the long TLS message is cut, the code is not');
    assert.match(row('rp2'), /FAIL connection_refused: Connection refused/);
    assert.match(out, /2 of 2 back-channel logout URLs need attention/);
  } finally {
    await selfSigned.close();
    await created.drop();
  }
});
