// The app-initiated logout redirect (RP-Initiated Logout 1.0 §2): what an app sends the
// browser to when the user clicks "Sign out".

export interface EndSessionUrlOptions {
  /** The provider's end_session_endpoint (from discovery). */
  endSessionEndpoint: string | URL;
  /** The ID token the app received: lets the provider redirect back without asking. */
  idTokenHint?: string;
  /** Must be registered exactly at the provider. */
  postLogoutRedirectUri?: string;
  state?: string;
  clientId?: string;
  uiLocales?: string;
  logoutHint?: string;
}

/**
 * @example
 * res.redirect(buildEndSessionUrl({ endSessionEndpoint, idTokenHint, postLogoutRedirectUri: 'https://app.example/' }));
 */
export function buildEndSessionUrl(options: EndSessionUrlOptions): string {
  const url = new URL(options.endSessionEndpoint);
  const params: Array<[string, string | undefined]> = [
    ['id_token_hint', options.idTokenHint],
    ['post_logout_redirect_uri', options.postLogoutRedirectUri],
    ['state', options.state],
    ['client_id', options.clientId],
    ['ui_locales', options.uiLocales],
    ['logout_hint', options.logoutHint],
  ];
  for (const [k, v] of params) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url.toString();
}
