// Interop with Keycloak's own admin client (@keycloak/keycloak-admin-client), unchanged,
// against a running Sundown server: authenticate through admin-cli, list a user's sessions,
// end one session, log the user out — and the receiver gets the logout tokens.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { pino } from 'pino';
import { parseStartConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { logoutRealmJson } from './helpers/logout-realm.ts';
import { basic, decodeJwt, form } from './helpers/oauth.ts';
import { Receiver } from './helpers/receiver.ts';

test('keycloak-admin-client: auth, users.listSessions, realms.removeSession, users.logout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-kcadmin-'));
  const receiver = await Receiver.start();
  const realmFile = join(dir, 'realm.json');
  writeFileSync(realmFile, JSON.stringify(logoutRealmJson({ rp1: receiver.url, rp2: receiver.url })));
  const config = parseStartConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--import-realm', realmFile, '--logout-wait-ms', '0'], { SUNDOWN_ADMIN_USERNAME: 'admin', SUNDOWN_ADMIN_PASSWORD: 'admin-pw' });
  const server = await startServer(config, pino({ level: 'silent' }));
  try {
    const login = async () => {
      const res = await fetch(`${server.url}/realms/test/protocol/openid-connect/token`, form({ grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' }, { authorization: basic('rp1', 'rp1-secret') }));
      return decodeJwt(((await res.json()) as Record<string, string>).id_token!).payload as { sid: string; sub: string };
    };
    const a = await login();
    const b = await login();

    const kc = new KcAdminClient({ baseUrl: server.url, realmName: 'master' });
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'admin-pw' });
    const sessions = await kc.users.listSessions({ id: a.sub, realm: 'test' });
    assert.deepEqual(sessions.map((s) => s.id).sort(), [a.sid, b.sid].sort());
    assert.deepEqual(Object.values(sessions[0]!.clients ?? {}), ['rp1']);

    await kc.realms.removeSession({ realm: 'test', sessionId: a.sid });
    await receiver.waitFor(1);
    assert.equal(decodeJwt(receiver.received[0]!.token).payload.sid, a.sid);

    await kc.users.logout({ id: a.sub, realm: 'test' });
    await receiver.waitFor(2);
    assert.equal(decodeJwt(receiver.received[1]!.token).payload.sid, b.sid);
    assert.deepEqual(await kc.users.listSessions({ id: a.sub, realm: 'test' }), []);
  } finally {
    await server.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
