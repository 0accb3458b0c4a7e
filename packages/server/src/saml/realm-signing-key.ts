// The realm key that signs SAML logout messages where no ProviderContext is at hand (the outbox's
// senders get SigningKeys only): the same RealmSamlKeys the descriptor uses, one per SigningKeys,
// so the KeyInfo certificate is byte for byte the descriptor's (realm-saml-keys.ts).
import type { SigningKeys } from '../crypto/signing-keys.ts';
import type { Realm } from '../realm/model.ts';
import { RealmSamlKeys } from './realm-saml-keys.ts';
import type { RealmSigningKey } from './sign-enveloped.ts';

const bySigningKeys = new WeakMap<SigningKeys, RealmSamlKeys>();

/** The one RealmSamlKeys of a SigningKeys: the descriptor (ctx.samlKeys) and the outbox share it. */
export function realmSamlKeysOf(keys: SigningKeys): RealmSamlKeys {
  let saml = bySigningKeys.get(keys);
  if (!saml) {
    saml = new RealmSamlKeys(keys);
    bySigningKeys.set(keys, saml);
  }
  return saml;
}

export function realmSigningKey(keys: SigningKeys, realm: Realm): Promise<RealmSigningKey> {
  return realmSamlKeysOf(keys).signingKey(realm);
}
