// The realm's SAML signing keys (saml.md §1): the RS256 keys of the JWKS — the active one signs —
// each with its self-signed certificate (realm-certificate.ts). The certificate is made from the
// key, the realm name and the key's creation time, so every process, and every restart, makes
// the same bytes: nothing extra is stored, and the descriptor an SP fetched stays valid until the
// key is rotated (or the realm renamed: the certificate's CN is the realm name, as in Keycloak).
import { createPrivateKey, type JsonWebKey, type X509Certificate } from 'node:crypto';
import type { SigningKeys } from '../crypto/signing-keys.ts';
import type { Realm } from '../realm/model.ts';
import { createRealmCertificate } from './realm-certificate.ts';
import type { RealmSigningKey } from './sign-enveloped.ts';

export class RealmSamlKeys {
  readonly #keys: SigningKeys;
  // A kid's key never changes; its certificate depends on the realm name too.
  readonly #made = new Map<string, RealmSigningKey>();

  constructor(keys: SigningKeys) {
    this.#keys = keys;
  }

  /** The published RS256 keys with certificates, the active one first (the descriptor). */
  async published(realm: Realm): Promise<RealmSigningKey[]> {
    const pairs = await this.#keys.publishedKeyPairs(realm.id, 'RS256');
    return pairs.map((p) => {
      const id = `${p.kid}\u0000${realm.name}`;
      let made = this.#made.get(id);
      if (!made) {
        const privateKey = createPrivateKey({ key: p.privateJwk as JsonWebKey, format: 'jwk' });
        made = {
          kid: p.kid,
          privateKey,
          certificate: createRealmCertificate({ realmName: realm.name, privateKey, notBefore: new Date(p.createdAt) }),
        };
        this.#made.set(id, made);
      }
      return made;
    });
  }

  /** The key that signs: the realm's active RS256 key, the one its JWKS and descriptor lead with. */
  async signingKey(realm: Realm): Promise<RealmSigningKey> {
    const active = await this.#keys.activeKey(realm.id, 'RS256');
    const known = this.#made.get(`${active.kid}\u0000${realm.name}`);
    if (known) return known;
    const found = (await this.published(realm)).find((k) => k.kid === active.kid);
    if (!found) throw new Error(`RS256 key ${active.kid} of realm ${realm.name} is not published`);
    return found;
  }

  /** The certificates an SP may be given for the realm (metadata, tests). */
  async certificates(realm: Realm): Promise<X509Certificate[]> {
    return (await this.published(realm)).map((k) => k.certificate);
  }
}
