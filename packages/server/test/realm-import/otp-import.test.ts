// A realm file's one-time-code parts: the otpPolicy* fields checked with their paths, the
// requiredActions registrations (Keycloak < 25's lower-case terms_and_conditions too), `otp`
// credentials read from their JSON strings, an unreadable one named in the report, user by user;
// and importing the same file again keeps the devices and how far their codes were used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OtpCredentialStore } from '../../src/login/otp/otp-credential-store.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { openStore } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { otpRealm } from '../helpers/otp-realm.ts';

test('keycloak-otp-policy: the realm fields are read over Keycloak defaults; bad ones are problems at their paths', () => {
  const parsed = parseRealmJson(otpRealm({ otpPolicyType: 'hotp', otpPolicyDigits: 8, otpPolicyInitialCounter: 3 }));
  assert.deepEqual(parsed.realm.otpPolicy, {
    type: 'hotp',
    algorithm: 'HmacSHA1',
    digits: 8,
    lookAheadWindow: 1,
    period: 30,
    initialCounter: 3,
    codeReusable: false,
  });
  assert.ok(!parsed.ignored.some((p) => p.includes('otpPolicy') || p.includes('otpSupportedApplications')));
  assert.throws(
    () => parseRealmJson({ realm: 'r', otpPolicyAlgorithm: 'MD5', otpPolicyDigits: 4, otpPolicyType: 'sms' }),
    (err: unknown) =>
      err instanceof RealmImportError &&
      /\$\.otpPolicyAlgorithm/.test(err.message) &&
      /\$\.otpPolicyDigits/.test(err.message) &&
      /\$\.otpPolicyType/.test(err.message),
  );
});

test('keycloak-otp-credentials: subType, digits, period, counter, algorithm and label are read; an unreadable one is named', () => {
  const realm = otpRealm();
  const user = realm.users[0]!;
  user.credentials.push({
    type: 'otp',
    createdDate: 1,
    secretData: '{"value":"abc"}',
    credentialData: '{"subType":"totp","digits":6,"period":30,"algorithm":"HmacMD5"}',
  } as (typeof user.credentials)[number]);
  const parsed = parseRealmJson(realm);
  const admin = parsed.realm.users.find((u) => u.username === 'admin@example.com')!;
  assert.equal(admin.otp.length, 1);
  assert.deepEqual(
    { ...admin.otp[0], secret: '…' },
    {
      type: 'totp',
      secret: '…',
      secretEncoding: null,
      algorithm: 'HmacSHA1',
      digits: 6,
      period: 30,
      counter: 0,
      userLabel: 'Phone',
      createdDate: 1733480000000,
    },
  );
  assert.ok(admin.passwordHash, 'the password hash comes over beside it');
  assert.equal(parsed.realm.users.find((u) => u.username === 'hotp-user')!.otp[0]!.counter, 5);
  assert.ok(
    parsed.warnings.some((w) =>
      /user admin@example.com: the one-time-code credential was not imported \(unknown algorithm "HmacMD5"\)/.test(w),
    ),
    parsed.warnings.join('\n'),
  );
});

test('keycloak-required-actions-json: registrations read, lower-case aliases of Keycloak < 25 known, others listed as not used', () => {
  const parsed = parseRealmJson({
    realm: 'r',
    requiredActions: [
      {
        alias: 'terms_and_conditions',
        name: 'Terms and Conditions',
        providerId: 'terms_and_conditions',
        enabled: true,
        defaultAction: false,
        priority: 20,
        config: {},
      },
      { alias: 'delete_account', providerId: 'delete_account', enabled: false, priority: 60 },
    ],
  });
  assert.deepEqual(parsed.realm.requiredActionSettings, [
    { alias: 'TERMS_AND_CONDITIONS', enabled: true, defaultAction: false, priority: 20 },
  ]);
  assert.ok(parsed.ignored.includes('$.requiredActions[1] (delete_account)'));
});

for (const db of TEST_DATABASES) {
  test(
    `keycloak-otp-reimport (${db.name}): importing the file again keeps the devices and their used counters`,
    { skip: db.skip },
    async () => {
      const created = await db.create();
      const store = await openStore(created.config);
      try {
        const first = await importRealm(store.db, parseRealmJson(otpRealm()));
        const otp = new OtpCredentialStore(store.db);
        const user = await store.db
          .selectFrom('app_user')
          .select('id')
          .where('username', '=', 'hotp-user')
          .executeTakeFirstOrThrow();
        const [hotp] = await otp.ofUser(user.id);
        assert.equal(await otp.advanceCounter(hotp!.id, 5, 9), true);
        await importRealm(store.db, parseRealmJson(otpRealm()));
        const after = await otp.ofUser(user.id);
        assert.equal(after.length, 1, 'not a second device');
        assert.equal(after[0]!.id, hotp!.id);
        assert.equal(after[0]!.counter, 9, 'the file counter (5) does not make used codes valid again');
        assert.equal(first.users, 4);
      } finally {
        await store.close();
        await created.drop();
      }
    },
  );
}
