// Keycloak's action tokens: a link sent by email carries a signed, expiring JWT naming the user
// and what the link may do (DefaultActionToken: `typ` the action, `sub`, `exp`, `eml` the address
// it was sent to, `rqac` required actions, `reduri`, `azp`, `asid` the pending sign-in). It is
// signed with the realm's signing key and has its own header type, so it can never pass as an ID
// or access token; it is single-use (used-action-tokens.ts) and dies with the address it was
// sent to (an email change makes it stale).
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { DEFAULT_SIGNING_ALG } from '../../crypto/signing-keys.ts';
import { newId } from '../../crypto/random.ts';
import type { UsesSigningKeys } from '../../crypto/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { Realm } from '../../realm/model.ts';

/** The header type: no other token of the realm has it. */
const TOKEN_TYPE = 'sundown-action+jwt';

/** Keycloak's action token types: the forgot-password link, the verification link, the admin's mail. */
export type ActionTokenKind = 'reset-credentials' | 'verify-email' | 'execute-actions';
const KINDS: readonly ActionTokenKind[] = ['reset-credentials', 'verify-email', 'execute-actions'];

export interface ActionToken {
  kind: ActionTokenKind;
  jti: string;
  userId: string;
  /** The address the link was sent to. */
  email: string;
  /** The required actions the link runs (execute-actions, reset-credentials). */
  actions: string[];
  /** The pending sign-in the link continues, when it was sent during one. */
  authRequest: string | null;
  /** execute-actions-email's client_id and redirect_uri: where the user goes when done. */
  clientId: string | null;
  redirectUri: string | null;
  /** Milliseconds. */
  expiresAt: number;
}

export type ActionTokenProblem = 'expired' | 'invalid';

export class ActionTokenRefused extends Error {
  readonly problem: ActionTokenProblem;
  constructor(problem: ActionTokenProblem) {
    super(`action token ${problem}`);
    this.problem = problem;
  }
}

export async function issueActionToken(
  ctx: UsesSigningKeys & UsesUrls,
  realm: Realm,
  token: Omit<ActionToken, 'jti' | 'expiresAt'>,
  lifespanSeconds: number,
  now = Date.now(),
): Promise<string> {
  const key = await ctx.keys.activeKey(realm.id, DEFAULT_SIGNING_ALG);
  const issuer = ctx.urls.issuer(realm.name);
  const iat = Math.floor(now / 1000);
  return new SignJWT({
    typ: token.kind,
    eml: token.email,
    ...(token.actions.length > 0 ? { rqac: token.actions } : {}),
    ...(token.authRequest ? { asid: token.authRequest } : {}),
    ...(token.clientId ? { azp: token.clientId } : {}),
    ...(token.redirectUri ? { reduri: token.redirectUri } : {}),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: TOKEN_TYPE })
    .setIssuer(issuer)
    .setAudience(issuer)
    .setSubject(token.userId)
    .setJti(newId())
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifespanSeconds)
    .sign(key.key);
}

/** Verifies the signature, issuer, audience, header type and expiry; ActionTokenRefused otherwise. */
export async function readActionToken(
  ctx: UsesSigningKeys & UsesUrls,
  realm: Realm,
  jwt: string,
  now = Date.now(),
): Promise<ActionToken> {
  const issuer = ctx.urls.issuer(realm.name);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jwt, await ctx.keys.verificationKeys(realm.id), {
      issuer,
      audience: issuer,
      typ: TOKEN_TYPE,
      algorithms: [DEFAULT_SIGNING_ALG],
      currentDate: new Date(now),
      clockTolerance: 0,
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new ActionTokenRefused('expired');
    throw new ActionTokenRefused('invalid');
  }
  const kind = payload.typ as ActionTokenKind;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const actions = Array.isArray(payload.rqac) ? payload.rqac.filter((a): a is string => typeof a === 'string') : [];
  if (!KINDS.includes(kind) || !str(payload.sub) || !str(payload.jti) || !str(payload.eml))
    throw new ActionTokenRefused('invalid');
  return {
    kind,
    jti: payload.jti as string,
    userId: payload.sub as string,
    email: payload.eml as string,
    actions,
    authRequest: str(payload.asid),
    clientId: str(payload.azp),
    redirectUri: str(payload.reduri),
    expiresAt: (payload.exp as number) * 1000,
  };
}

/** Keycloak's link: `/realms/{realm}/login-actions/action-token?key=…`. */
export function actionTokenLink(ctx: UsesUrls, realm: Realm, jwt: string): string {
  return `${ctx.urls.issuer(realm.name)}/login-actions/action-token?key=${encodeURIComponent(jwt)}`;
}
