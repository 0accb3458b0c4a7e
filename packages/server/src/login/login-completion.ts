// One sign-in form serves every protocol: an OIDC authorization request and a SAML AuthnRequest
// wait in the same pending table and meet the same form. What happens after the password is the
// protocol's business, so each protocol registers its completion and the login floor knows none of
// them (the composition root, app.ts, hands the table in).
import type { Client, Realm } from '../realm/model.ts';
import type { SsoSession } from '../sessions/sso-session.ts';
import type { ClientProtocol } from '../store/schema.ts';

/** What every pending sign-in has; `protocol` is absent on OIDC requests (stored before SAML). */
export interface PendingLogin {
  clientId: string;
  protocol?: ClientProtocol;
}

/** A user who has just signed in (or been recognised), and the request they signed in for. */
export interface SignedIn {
  realm: Realm;
  client: Client;
  session: SsoSession;
  request: PendingLogin;
  ipAddress: string | null;
  now: number;
  /** Cookies the sign-in set (session, known device): the completion's response must carry them. */
  headers: Headers;
}

export type LoginCompletion<D> = (ctx: D, signedIn: SignedIn) => Promise<Response>;

/** The completion of each protocol, by the client's protocol. */
export type LoginCompletions<D> = Readonly<Record<ClientProtocol, LoginCompletion<D>>>;

export function protocolOf(request: PendingLogin): ClientProtocol {
  return request.protocol ?? 'openid-connect';
}
