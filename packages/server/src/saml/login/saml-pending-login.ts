// A validated AuthnRequest waiting for the user, stored with the OIDC sign-in forms in
// auth_request (pending/pending-requests.ts) so that the same login page, the same browser
// binding and the same SSO session serve both protocols. `protocol: 'saml'` tells the login form
// (login/submit-login.ts) which protocol finishes the sign-in.
import type { NameIdFormatName } from '../saml-client-attributes.ts';

export interface SamlPendingLogin {
  protocol: 'saml';
  /** The client's clientId (the SP entity ID). */
  clientId: string;
  /** The AuthnRequest ID: InResponseTo of the Response (Core §3.2.2). */
  requestId: string;
  /** The registered ACS URL the Response goes to. */
  acsUrl: string;
  relayState: string | null;
  /** The NameID format the Response will carry (NameIDPolicy, or the client's; name-id.ts). */
  nameIdFormat: NameIdFormatName;
  /** ForceAuthn (Core §3.4.1): a fresh sign-in even with a live SSO session. */
  forceAuthn: boolean;
  /** IsPassive (Core §3.4.1): never show a page; without a usable session, NoPassive. */
  isPassive: boolean;
  /** Subject/NameID of the request: the username the form starts with. */
  loginHint: string | null;
  /** Which binding the AuthnRequest came by, for the LOGIN event. */
  binding: 'redirect' | 'post';
}

export function isSamlPendingLogin(value: unknown): value is SamlPendingLogin {
  return typeof value === 'object' && value !== null && (value as { protocol?: unknown }).protocol === 'saml';
}
