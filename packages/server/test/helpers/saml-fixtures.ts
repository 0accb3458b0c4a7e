// Keys, certificates and a node-saml SP for the SAML tests. The realm key is made like the
// realm's RS256 key (jose), its certificate by realm-certificate.ts; the SP's key pair is
// independent, and a third "attacker" key pair signs what must be refused.
import { generateKeyPairSync, type KeyObject, type X509Certificate } from 'node:crypto';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { createRealmCertificate } from '../../src/saml/realm-certificate.ts';
import type { RealmSigningKey } from '../../src/saml/sign-enveloped.ts';

export const REALM_URL = 'http://127.0.0.1:8080/realms/demo';
export const ENDPOINT = `${REALM_URL}/protocol/saml`;
export const SP_ENTITY_ID = 'urn:test:sp-one';
export const ACS_URL = 'http://127.0.0.1:4001/saml/acs';
export const SP_SLO_URL = 'http://127.0.0.1:4001/saml/slo';

export interface KeyPair {
  privateKey: KeyObject;
  certificate: X509Certificate;
  privatePem: string;
}

export function keyPair(cn: string): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = createRealmCertificate({ realmName: cn, privateKey, notBefore: new Date(Date.now() - 3600_000) });
  return { privateKey, certificate, privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

export const realm = keyPair('demo');
export const sp = keyPair('sp-one');
export const attacker = keyPair('attacker');

export const realmKey: RealmSigningKey = {
  kid: 'realm-kid-1',
  privateKey: realm.privateKey,
  certificate: realm.certificate,
};

export const spRules = {
  entityId: SP_ENTITY_ID,
  requireSignature: true,
  certificate: sp.certificate,
  signatureAlgorithm: 'RSA_SHA256' as const,
};

/** A node-saml SP trusting the realm's certificate, signing with its own key. */
export function nodeSamlSp(overrides: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    entryPoint: ENDPOINT,
    logoutUrl: ENDPOINT,
    issuer: SP_ENTITY_ID,
    callbackUrl: ACS_URL,
    idpCert: realm.certificate.toString(),
    idpIssuer: REALM_URL,
    privateKey: sp.privatePem,
    signatureAlgorithm: 'sha256',
    wantAuthnResponseSigned: true,
    wantAssertionsSigned: true,
    validateInResponseTo: 'always' as SamlConfig['validateInResponseTo'],
    ...overrides,
  });
}

/** The raw query of a URL, exactly as it would arrive. */
export function rawQuery(url: string): string {
  return url.slice(url.indexOf('?') + 1);
}
