// Keycloak's password policy string, parsed and checked rule by rule with Keycloak's message keys
// and texts (messages_en.properties); a bad policy is an import problem.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPasswordRules, parsePasswordPolicy, PasswordPolicyError } from '../../src/realm/password-policy.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';

const owner = { username: 'alice', email: 'alice@example.com' };
const check = (policy: string, password: string) => checkPasswordRules(parsePasswordPolicy(policy), owner, password);

describe('password policy', () => {
  test('length(12): "Invalid password: minimum length 12."', () => {
    assert.deepEqual(check('length(12)', 'short'), {
      key: 'invalidPasswordMinLengthMessage',
      message: 'Invalid password: minimum length 12.',
    });
    assert.equal(check('length(12)', 'long-enough-pw'), null);
  });

  test('maxLength, digits, lowerCase, upperCase, specialChars: Keycloak texts', () => {
    assert.equal(check('maxLength(4)', 'abcde')?.message, 'Invalid password: maximum length 4.');
    assert.equal(check('digits(2)', 'abc1')?.message, 'Invalid password: must contain at least 2 numerical digits.');
    assert.equal(
      check('lowerCase(1)', 'ABC')?.message,
      'Invalid password: must contain at least 1 lower case characters.',
    );
    assert.equal(
      check('upperCase(2)', 'aBc')?.message,
      'Invalid password: must contain at least 2 upper case characters.',
    );
    assert.equal(
      check('specialChars(1)', 'abc123')?.message,
      'Invalid password: must contain at least 1 special characters.',
    );
    assert.equal(check('digits(2) and upperCase and specialChars', 'Ab1-2'), null);
  });

  test('notUsername and notEmail compare without case', () => {
    assert.equal(check('notUsername', 'ALICE')?.message, 'Invalid password: must not be equal to the username.');
    assert.equal(check('notEmail', 'Alice@Example.com')?.message, 'Invalid password: must not be equal to the email.');
    assert.equal(check('notUsername and notEmail', 'something-else'), null);
  });

  test('regexPattern must match the whole password (Java Pattern.matches)', () => {
    assert.equal(check('regexPattern([a-z]+)', 'abc1')?.message, 'Invalid password: fails to match regex pattern(s).');
    assert.equal(check('regexPattern([a-z]+)', 'abc'), null);
  });

  test('the first broken rule in the policy order is the answer', () => {
    assert.equal(check('digits(1) and length(12)', 'x')?.key, 'invalidPasswordMinDigitsMessage');
    assert.equal(check('length(12) and digits(1)', 'x')?.key, 'invalidPasswordMinLengthMessage');
  });

  test('Keycloak defaults: length() is 8, passwordHistory is 3; hashAlgorithm and hashIterations accepted, not used', () => {
    assert.equal(check('length', 'seven77')?.message, 'Invalid password: minimum length 8.');
    const policy = parsePasswordPolicy('hashAlgorithm(pbkdf2-sha512) and hashIterations(210000) and passwordHistory');
    assert.deepEqual(policy.notUsed, ['hashAlgorithm', 'hashIterations']);
    assert.deepEqual(policy.rules, [{ id: 'passwordHistory', value: 3 }]);
  });

  test('an unknown policy or a bad argument is refused', () => {
    assert.throws(() => parsePasswordPolicy('length(12) and sparkles(3)'), PasswordPolicyError);
    assert.throws(() => parsePasswordPolicy('length(twelve)'), /length\(twelve\) needs a whole number/);
    assert.throws(() => parsePasswordPolicy('regexPattern([)'), /not a valid pattern/);
  });

  test('a bad policy is an import problem naming $.passwordPolicy', () => {
    assert.throws(
      () => parseRealmJson({ realm: 'p', passwordPolicy: 'length(12) and sparkles(3)' }),
      (err: unknown) =>
        err instanceof RealmImportError && /\$\.passwordPolicy: unknown password policy "sparkles"/.test(err.message),
    );
    const ok = parseRealmJson({ realm: 'p', passwordPolicy: 'length(12) and hashIterations(27500)' });
    assert.equal(ok.realm.login.passwordPolicy, 'length(12) and hashIterations(27500)');
    assert.ok(ok.warnings.some((w) => /hashIterations accepted and not used/.test(w)));
  });
});
