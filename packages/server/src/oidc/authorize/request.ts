// The validated shape of an authorization request (OIDC Core §3.1.2.1).
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
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
