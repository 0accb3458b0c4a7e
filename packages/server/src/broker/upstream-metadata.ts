// The upstream's endpoints and keys: the ones its config names, the rest from its discovery
// document (OIDC Discovery 1.0 §4, read once and cached), and its JWKS through jose's remote key
// set (cached, refetched once on an unknown `kid`, rate-limited: BCL §2.6 step 2).
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { IdentityProvider } from './identity-provider.ts';

export interface UpstreamEndpoints {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl: string | null;
  jwksUrl: string;
  logoutUrl: string | null;
}

export class UpstreamMetadataError extends Error {}

const DISCOVERY_TTL_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5000;

export class UpstreamMetadata {
  readonly #discovered = new Map<string, { at: number; doc: Record<string, unknown> }>();
  readonly #keySets = new Map<string, JWTVerifyGetKey>();

  async #discover(url: string): Promise<Record<string, unknown>> {
    const cached = this.#discovered.get(url);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.doc;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
    } catch (err) {
      throw new UpstreamMetadataError(`could not read the upstream's discovery document ${url}: ${String(err)}`);
    }
    if (!res.ok) throw new UpstreamMetadataError(`the upstream's discovery document ${url} answered ${res.status}`);
    const doc = (await res.json()) as Record<string, unknown>;
    this.#discovered.set(url, { at: Date.now(), doc });
    return doc;
  }

  /** Every endpoint the broker uses: the config's, else the discovery document's. */
  async endpoints(idp: IdentityProvider): Promise<UpstreamEndpoints> {
    const c = idp.config;
    const doc =
      c.metadataUrl && (!c.authorizationUrl || !c.tokenUrl || !c.jwksUrl) ? await this.#discover(c.metadataUrl) : {};
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const authorizationUrl = c.authorizationUrl ?? str(doc.authorization_endpoint);
    const tokenUrl = c.tokenUrl ?? str(doc.token_endpoint);
    const jwksUrl = c.jwksUrl ?? str(doc.jwks_uri);
    if (!authorizationUrl || !tokenUrl || !jwksUrl)
      throw new UpstreamMetadataError(`identity provider ${idp.alias} has no authorization, token or JWKS URL`);
    return {
      issuer: c.issuer,
      authorizationUrl,
      tokenUrl,
      jwksUrl,
      userInfoUrl: c.userInfoUrl ?? str(doc.userinfo_endpoint),
      logoutUrl: c.logoutUrl ?? str(doc.end_session_endpoint),
    };
  }

  /** The upstream's keys (jose's remote JWKS: cached, refetched on an unknown kid, at most every 30 s). */
  keys(jwksUrl: string): JWTVerifyGetKey {
    let set = this.#keySets.get(jwksUrl);
    if (!set) {
      set = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: 30_000 });
      this.#keySets.set(jwksUrl, set);
    }
    return set;
  }
}
