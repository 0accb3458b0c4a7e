// The validated shape of an authorization request (OIDC Core §3.1.2.1).
import type { ResponseMode } from './response-mode.ts';
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** How the response travels (absent in sign-in forms stored before issue 14: query). */
  responseMode?: ResponseMode;
  scopes: string[];
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  prompt: string[];
  /** Seconds, OIDC Core §3.1.2.1 `max_age`. */
  maxAge: number | null;
  loginHint: string | null;
  uiLocales: string | null;
}
