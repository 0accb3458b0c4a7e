// The realm key that signs SAML logout messages: the RS256 key of the JWKS (saml.md §1) with a
// self-signed certificate for KeyInfo (realm-certificate.ts). SPs verify with the certificate they
// took from the descriptor, i.e. with this public key; the certificate here is made once per key
// and process, deterministic for the key, realm name and the key's first use in this process.
import type { SigningKeys } from '../crypto/signing-keys.ts';
import type { Realm } from '../realm/model.ts';
import { createRealmCertificate, keyObjectOf } from './realm-certificate.ts';
import type { RealmSigningKey } from './sign-enveloped.ts';

const made = new Map<string, RealmSigningKey>();

export async function realmSigningKey(keys: SigningKeys, realm: Realm): Promise<RealmSigningKey> {
  const active = await keys.activeKey(realm.id, 'RS256');
  const cacheKey = `${realm.id}|${realm.name}|${active.kid}`;
  const known = made.get(cacheKey);
  if (known) return known;
  const privateKey = keyObjectOf(active.key);
  const key: RealmSigningKey = { kid: active.kid, privateKey, certificate: createRealmCertificate({ realmName: realm.name, privateKey, notBefore: new Date() }) };
  if (made.size > 1000) made.clear();
  made.set(cacheKey, key);
  return key;
}
