// Parses Keycloak's SAML client representation (`protocol: "saml"`; saml.md §2) into the typed
// settings the SAML endpoint, login and logout use. Every problem is reported with its JSON path,
// as realm/realm-json.ts does for OIDC clients, so a realm import or admin write can show all of
// them at once. Absent attributes take Keycloak's new-client defaults (saml-client-attributes.ts).
import type { X509Certificate } from 'node:crypto';
import { registeredRedirectUriProblem } from '../oidc/redirect-uri-matcher.ts';
import { certificateFromText } from './certificate-text.ts';
import {
  ACCEPTED_UNUSED,
  BOOLEAN_DEFAULTS,
  NAME_ID_FORMATS,
  type NameIdFormatName,
  SAML_ATTR,
  SIGNATURE_ALGORITHMS,
  type SamlSignatureAlgorithm,
} from './saml-client-attributes.ts';
import { ALG } from './saml-constants.ts';

export interface SamlClientSettings {
  /** The SP entity ID: the Audience of assertions and the Issuer its messages must carry. */
  entityId: string;
  enabled: boolean;
  /** Registered ACS URLs (`redirectUris`, relative ones resolved against `rootUrl`). */
  redirectUris: string[];
  adminUrl: string | null;
  acsUrl: { post: string | null; redirect: string | null };
  sloUrl: { post: string | null; redirect: string | null; soap: string | null };
  frontchannelLogout: boolean;
  /** `saml.server.signature`: sign the Response / LogoutRequest / LogoutResponse document. */
  signDocument: boolean;
  /** `saml.assertion.signature`: sign each Assertion. */
  signAssertion: boolean;
  /** `saml.client.signature`: the SP's requests and responses must be signed. */
  requireClientSignature: boolean;
  /** `saml.signing.certificate`: the only key the SP's signatures verify with (saml.md §8.2). */
  certificate: X509Certificate | null;
  signatureAlgorithm: SamlSignatureAlgorithm;
  nameIdFormat: NameIdFormatName;
  forceNameIdFormat: boolean;
  forcePostBinding: boolean;
  includeAuthnStatement: boolean;
  oneTimeUse: boolean;
  /** `saml.assertion.lifespan` in seconds; null = the realm's access-code lifespan. */
  assertionLifespan: number | null;
}

export interface SamlClientProblem {
  path: string;
  message: string;
}

export type SamlClientParse =
  | { ok: true; settings: SamlClientSettings; ignoredAttributes: string[] }
  | { ok: false; problems: SamlClientProblem[] };

type Json = Record<string, unknown>;

/**
 * Parses one SAML client of a realm representation; `path` is its JSON path, e.g.
 * `$.clients[2]`. The caller has checked `protocol === "saml"`.
 */
export function parseSamlClient(raw: unknown, path: string): SamlClientParse {
  const problems: SamlClientProblem[] = [];
  const fail = (p: string, message: string): null => {
    problems.push({ path: p, message });
    return null;
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ path, message: 'must be an object' }] };
  }
  const c = raw as Json;
  if (c.protocol !== 'saml') fail(`${path}.protocol`, 'must be "saml"');
  const entityId =
    typeof c.clientId === 'string' && c.clientId.trim() !== ''
      ? c.clientId
      : fail(`${path}.clientId`, 'is required (the SP entity ID)');
  const bool = (key: string, fallback: boolean): boolean => {
    const v = c[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    fail(`${path}.${key}`, 'must be true or false');
    return fallback;
  };
  const optionalUrl = (value: unknown, p: string): string | null => {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') return fail(p, 'must be a string');
    return absoluteUrl(value) ? value : fail(p, `"${value}" must be an absolute http(s) URL without a fragment`);
  };
  const rootUrl = optionalUrl(c.rootUrl, `${path}.rootUrl`);
  const adminUrl = optionalUrl(c.adminUrl, `${path}.adminUrl`);
  const redirectUris = readRedirectUris(c.redirectUris, rootUrl, `${path}.redirectUris`, fail);

  const attrs = readAttributes(c.attributes, `${path}.attributes`, fail);
  const ap = (key: string): string => `${path}.attributes["${key}"]`;
  const flag = (key: keyof typeof BOOLEAN_DEFAULTS): boolean => {
    const v = attrs[key];
    if (v === undefined || v === '') return BOOLEAN_DEFAULTS[key];
    if (v === 'true' || v === 'false') return v === 'true';
    fail(ap(key), 'must be "true" or "false"');
    return BOOLEAN_DEFAULTS[key];
  };
  const urlAttr = (key: string): string | null => optionalUrl(attrs[key], ap(key));

  const signatureAlgorithm = readSignatureAlgorithm(
    attrs[SAML_ATTR.signatureAlgorithm],
    ap(SAML_ATTR.signatureAlgorithm),
    fail,
  );
  const c14n = attrs[SAML_ATTR.canonicalization];
  if (c14n !== undefined && c14n !== '' && c14n !== ALG.excC14n) {
    fail(ap(SAML_ATTR.canonicalization), `only exclusive canonicalization "${ALG.excC14n}" is supported`);
  }
  const nameIdFormat = readNameIdFormat(attrs[SAML_ATTR.nameIdFormat], ap(SAML_ATTR.nameIdFormat), fail);
  if (flag(SAML_ATTR.encrypt)) fail(ap(SAML_ATTR.encrypt), 'assertion encryption is not supported; set it to "false"');
  const assertionLifespan = readLifespan(attrs[SAML_ATTR.assertionLifespan], ap(SAML_ATTR.assertionLifespan), fail);

  const certText = attrs[SAML_ATTR.signingCertificate];
  let certificate: X509Certificate | null = null;
  if (certText !== undefined && certText !== '') {
    certificate =
      certificateFromText(certText) ??
      fail(ap(SAML_ATTR.signingCertificate), 'must be one base64 DER (or PEM) X.509 certificate with an RSA key');
  }
  const requireClientSignature = flag(SAML_ATTR.clientSignature);
  if (requireClientSignature && (certText === undefined || certText === '')) {
    // Keycloak generates an SP key pair here; Sundown cannot hand the SP its private key.
    fail(
      ap(SAML_ATTR.signingCertificate),
      `is required while "${SAML_ATTR.clientSignature}" is "true" (the default); give the SP's certificate or set it to "false"`,
    );
  }

  const settings: SamlClientSettings = {
    entityId: entityId ?? '',
    enabled: bool('enabled', true),
    redirectUris,
    adminUrl,
    acsUrl: { post: urlAttr(SAML_ATTR.acsPost), redirect: urlAttr(SAML_ATTR.acsRedirect) },
    sloUrl: {
      post: urlAttr(SAML_ATTR.sloPost),
      redirect: urlAttr(SAML_ATTR.sloRedirect),
      soap: urlAttr(SAML_ATTR.sloSoap),
    },
    frontchannelLogout: bool('frontchannelLogout', true),
    signDocument: flag(SAML_ATTR.serverSignature),
    signAssertion: flag(SAML_ATTR.assertionSignature),
    requireClientSignature,
    certificate,
    signatureAlgorithm,
    nameIdFormat,
    forceNameIdFormat: flag(SAML_ATTR.forceNameIdFormat),
    forcePostBinding: flag(SAML_ATTR.forcePostBinding),
    includeAuthnStatement: flag(SAML_ATTR.authnStatement),
    oneTimeUse: flag(SAML_ATTR.oneTimeUse),
    assertionLifespan,
  };
  urlAttr(SAML_ATTR.sloArtifact); // validated although artifact binding is not offered
  if (problems.length > 0) return { ok: false, problems };
  const known = new Set<string>([...Object.values(SAML_ATTR), ...ACCEPTED_UNUSED]);
  const ignoredAttributes = Object.keys(attrs)
    .filter((k) => (k.startsWith('saml') && !known.has(k)) || ACCEPTED_UNUSED.has(k))
    .map(ap);
  return { ok: true, settings, ignoredAttributes };
}

type Fail = (path: string, message: string) => null;

function absoluteUrl(value: string): boolean {
  if (value.includes('#')) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

// Core §3.4.1: the ACS URL of an AuthnRequest must be one the SP registered (saml.md §8.7).
// The same rules as OIDC redirect URIs apply, wildcards included (RedirectUtils in Keycloak).
function readRedirectUris(value: unknown, rootUrl: string | null, path: string, fail: Fail): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail(path, 'must be an array of strings') ?? [];
  const out: string[] = [];
  value.forEach((uri: unknown, i) => {
    const p = `${path}[${i}]`;
    if (typeof uri !== 'string') return fail(p, 'must be a string');
    if (uri === '*' || uri === '+') return fail(p, `"${uri}" would allow any ACS URL; list the URLs`);
    let resolved = uri;
    if (uri.startsWith('/')) {
      if (!rootUrl) return fail(p, `"${uri}" is relative but the client has no rootUrl`);
      resolved = rootUrl.replace(/\/$/, '') + uri;
    }
    // An ACS URL is a web page: native app schemes are refused.
    const problem = registeredRedirectUriProblem(resolved, { webOnly: true });
    if (problem) return fail(p, `"${uri}" ${problem}`);
    out.push(resolved);
  });
  return out;
}

function readAttributes(value: unknown, path: string, fail: Fail): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return fail(path, 'must be an object') ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (typeof v === 'string') out[k] = v;
    else fail(`${path}["${k}"]`, 'must be a string');
  }
  return out;
}

function readSignatureAlgorithm(value: string | undefined, path: string, fail: Fail): SamlSignatureAlgorithm {
  if (value === undefined || value === '') return 'RSA_SHA256';
  if (Object.hasOwn(SIGNATURE_ALGORITHMS, value)) return value as SamlSignatureAlgorithm;
  fail(path, `"${value}" is not supported; use ${Object.keys(SIGNATURE_ALGORITHMS).join(' or ')}`);
  return 'RSA_SHA256';
}

function readNameIdFormat(value: string | undefined, path: string, fail: Fail): NameIdFormatName {
  if (value === undefined || value === '') return 'username';
  if (Object.hasOwn(NAME_ID_FORMATS, value)) return value as NameIdFormatName;
  // Accept the URN too (some exports and hand-written JSON use it).
  const byUrn = (Object.keys(NAME_ID_FORMATS) as NameIdFormatName[]).find((k) => NAME_ID_FORMATS[k] === value);
  if (byUrn) return byUrn;
  fail(path, `"${value}" must be one of ${Object.keys(NAME_ID_FORMATS).join(', ')}`);
  return 'username';
}

function readLifespan(value: string | undefined, path: string, fail: Fail): number | null {
  if (value === undefined || value === '') return null;
  if (!/^\d{1,7}$/.test(value) || Number(value) === 0) return fail(path, 'must be a positive whole number of seconds');
  return Number(value);
}
