// A realm's smtpServer as Keycloak writes it, checked at import: an empty map sends no mail;
// a host needs a from address; port, flags and addresses are validated; a masked password is
// never stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSmtpSettings } from '../../src/mail/smtp-settings.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';

test('Keycloak\'s "smtpServer": {} means no mail server', () => {
  assert.deepEqual(readSmtpSettings({}), { settings: null, problems: [], unknown: [] });
});

test('defaults: port 25, or 465 with ssl; auth takes user and password', () => {
  assert.equal(readSmtpSettings({ host: 'mail', from: 'a@b.c' }).settings?.port, 25);
  assert.equal(readSmtpSettings({ host: 'mail', from: 'a@b.c', ssl: 'true' }).settings?.port, 465);
  assert.deepEqual(
    readSmtpSettings({ host: 'mail', from: 'a@b.c', auth: 'true', user: 'u', password: 'p' }).settings?.auth,
    { user: 'u', password: 'p' },
  );
});

test('a bad smtpServer is an import problem at its path, all of them at once', () => {
  assert.throws(
    () =>
      parseRealmJson({
        realm: 'm',
        smtpServer: { host: 'mail', port: '99999', ssl: 'yes', auth: 'true', replyTo: 'not-an-address' },
      }),
    (err: unknown) => {
      assert.ok(err instanceof RealmImportError);
      for (const part of [
        '$.smtpServer.port: must be a port from 1 to 65535',
        '$.smtpServer.ssl: must be "true" or "false"',
        '$.smtpServer.from: is required',
        '$.smtpServer.replyTo: "not-an-address" is not an email address',
        '$.smtpServer.user: is required when auth is "true"',
      ])
        assert.ok(err.message.includes(part), `${part} in ${err.message}`);
      return true;
    },
  );
  assert.throws(
    () => parseRealmJson({ realm: 'm', smtpServer: { from: 'a@b.c' } }),
    /\$\.smtpServer\.host: is required/,
  );
});

test("a masked SMTP password (Keycloak's export) is dropped with a warning", () => {
  const parsed = parseRealmJson({
    realm: 'm',
    smtpServer: { host: 'mail', from: 'a@b.c', auth: 'true', user: 'u', password: '**********' },
  });
  assert.equal(parsed.realm.login.smtpServer.password, undefined);
  assert.ok(parsed.warnings.some((w) => /smtpServer\.password is masked/.test(w)));
});
