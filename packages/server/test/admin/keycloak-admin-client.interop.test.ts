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
import { parseStartConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { logoutRealmJson } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { Receiver } from '../helpers/receiver.ts';

test('keycloak-admin-client: auth, users.listSessions, realms.removeSession, users.logout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-kcadmin-'));
  const receiver = await Receiver.start();
  const realmFile = join(dir, 'realm.json');
  writeFileSync(realmFile, JSON.stringify(logoutRealmJson({ rp1: receiver.url, rp2: receiver.url })));
  const config = parseStartConfig(
    [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(dir, 'data'),
      '--import-realm',
      realmFile,
      '--logout-wait-ms',
      '0',
    ],
    { SUNDOWN_ADMIN_USERNAME: 'admin', SUNDOWN_ADMIN_PASSWORD: 'admin-pw' },
  );
  const server = await startServer(config, pino({ level: 'silent' }));
  try {
    const login = async () => {
      const res = await fetch(
        `${server.url}/realms/test/protocol/openid-connect/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      return decodeJwt(((await res.json()) as Record<string, string>).id_token!).payload as {
        sid: string;
        sub: string;
      };
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

    // The scenario end to end: a realm, a client with a back-channel URL and a user,
    // all made through the admin client; a sign-in; the user's sessions; the logout.
    await kc.realms.create({ realm: 'made-by-kc', enabled: true, attributes: { backchannelLogoutAllowHttp: 'true' } });
    await kc.clients.create({
      realm: 'made-by-kc',
      clientId: 'kc-app',
      secret: 'kc-secret',
      directAccessGrantsEnabled: true,
      redirectUris: ['https://kc-app.example/cb'],
      attributes: { 'backchannel.logout.url': receiver.url },
    });
    const { id: userId } = await kc.users.create({
      realm: 'made-by-kc',
      username: 'kc-user',
      enabled: true,
      credentials: [{ type: 'password', value: 'kc-pw', temporary: false }],
    });
    const signIn = await fetch(
      `${server.url}/realms/made-by-kc/protocol/openid-connect/token`,
      form(
        { grant_type: 'password', username: 'kc-user', password: 'kc-pw', scope: 'openid' },
        { authorization: basic('kc-app', 'kc-secret') },
      ),
    );
    assert.equal(signIn.status, 200);
    const sid = decodeJwt(((await signIn.json()) as Record<string, string>).id_token!).payload.sid;
    assert.deepEqual(
      (await kc.users.listSessions({ id: userId, realm: 'made-by-kc' })).map((s) => s.id),
      [sid],
    );
    await kc.users.logout({ id: userId, realm: 'made-by-kc' });
    await receiver.waitFor(3);
    const last = decodeJwt(receiver.received[2]!.token).payload;
    assert.equal(last.sid, sid);
    assert.equal(last.aud, 'kc-app');

    // Realm settings through the client's update (PUT), read back through findOne.
    await kc.realms.update({ realm: 'made-by-kc' }, { displayName: 'Made by KC', ssoSessionIdleTimeout: 900 });
    const updated = await kc.realms.findOne({ realm: 'made-by-kc' });
    assert.equal(updated?.displayName, 'Made by KC');
    assert.equal(updated?.ssoSessionIdleTimeout, 900);
    assert.equal(updated?.attributes?.backchannelLogoutAllowHttp, 'true');
  } finally {
    await server.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keycloak-admin-client: a script for local apps (http loopback back-channel URLs, no http opt-in) runs unchanged; refusals carry errorMessage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-kcadmin-'));
  const receiver = await Receiver.start();
  const config = parseStartConfig(
    ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--logout-wait-ms', '0'],
    {
      SUNDOWN_ADMIN_USERNAME: 'admin',
      SUNDOWN_ADMIN_PASSWORD: 'admin-pw',
    },
  );
  const server = await startServer(config, pino({ level: 'silent' }));
  try {
    const kc = new KcAdminClient({ baseUrl: server.url, realmName: 'master' });
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'admin-pw' });
    // As a Keycloak script for a developer's machine: no realm attributes at all.
    await kc.realms.create({ realm: 'local', enabled: true });
    await kc.clients.create({
      realm: 'local',
      clientId: 'flask',
      secret: 'flask-secret',
      redirectUris: ['http://localhost:5000/auth'],
      attributes: { 'backchannel.logout.url': 'http://localhost:5000/backchannel-logout' },
    });
    await kc.clients.create({
      realm: 'local',
      clientId: 'cli-app',
      secret: 'cli-secret',
      directAccessGrantsEnabled: true,
      attributes: { 'backchannel.logout.url': receiver.url },
    });
    const { id: userId } = await kc.users.create({
      realm: 'local',
      username: 'dev',
      enabled: true,
      credentials: [{ type: 'password', value: 'dev-pw', temporary: false }],
    });
    const signIn = await fetch(
      `${server.url}/realms/local/protocol/openid-connect/token`,
      form(
        { grant_type: 'password', username: 'dev', password: 'dev-pw', scope: 'openid' },
        { authorization: basic('cli-app', 'cli-secret') },
      ),
    );
    assert.equal(signIn.status, 200);
    await kc.users.logout({ id: userId, realm: 'local' });
    await receiver.waitFor(1);
    assert.equal(decodeJwt(receiver.received[0]!.token).payload.aud, 'cli-app');

    // Off loopback, http still needs the opt-in; the refusal reads as Keycloak's does.
    const refused = await kc.clients
      .create({
        realm: 'local',
        clientId: 'remote',
        secret: 's',
        attributes: { 'backchannel.logout.url': 'http://app.example/bcl' },
      })
      .then(
        () => assert.fail('an http URL off loopback was accepted'),
        (err: unknown) => err as { response: Response; responseData: Record<string, string> },
      );
    assert.equal(refused.response.status, 400);
    assert.match(
      refused.responseData.errorMessage!,
      /uses http; use https, or set the realm attribute backchannelLogoutAllowHttp/,
    );
    assert.equal(refused.responseData.errorMessage, refused.responseData.error_description);
  } finally {
    await server.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
