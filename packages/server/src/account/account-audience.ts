// Keycloak serves two things at `/realms/{realm}/account`: the account console for a browser, and
// the Account REST API (`Accept: application/json`, a bearer token) that keycloak-js's
// loadUserProfile() calls from another origin. Sundown does the same: the user's own page
// (account-endpoint.ts) and the profile API (oidc/account-profile.ts).

/** Whether a request to `/account` is for the REST API: a bearer token, JSON, or a CORS preflight. */
export function wantsAccountApi(req: Request): boolean {
  if (req.method === 'OPTIONS') return true;
  if (req.headers.has('authorization')) return true;
  return (req.headers.get('accept') ?? '').includes('application/json');
}
