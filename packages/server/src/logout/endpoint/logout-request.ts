// A validated RP-initiated logout request, as end-session checked it and as it waits in a
// logout_request row for the user's confirmation (RP-Initiated Logout 1.0 §2–3).
export interface LogoutRequest {
  clientId: string | null;
  /** Set only when the request proved its client (a valid hint): we may redirect there. */
  redirectUri: string | null;
  /**
   * A registered target named without a hint (`client_id` with `post_logout_redirect_uri`, or the
   * legacy `redirect_uri`): used only after the user confirmed on the CSRF-protected page, as
   * Keycloak does. Absent in rows stored by older versions.
   */
  confirmedRedirectUri?: string | null;
  state: string | null;
  hintSub: string | null;
  hintSid: string | null;
}
