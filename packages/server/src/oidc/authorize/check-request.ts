// Steps 3–7 — with a trusted redirect URI, every remaining rule; failures redirect back to
// the client with the error (RFC 6749 §4.1.2.1).
import { InvalidRequest, UnauthorizedClient, UnsupportedResponseType } from '../../errors.ts';
import type { Params } from '../../http/params.ts';
import { usesRefreshTokens } from '../../realm/attributes.ts';
import type { RealmAccess } from '../../access/realm-access.ts';
import type { Client } from '../../realm/model.ts';
import { OFFLINE_ACCESS, parseScope, requestScopes } from '../../tokens/scopes.ts';
import type { AuthorizationRequest } from './request.ts';
import type { ResponseMode } from './response-mode.ts';

/** The response types, response modes, PKCE methods and prompts accepted here; discovery lists these. */
export const RESPONSE_TYPES: readonly string[] = ['code'];
/** Settled with the redirect URI (response-mode.ts), before these checks, so errors travel in it too. */
export { RESPONSE_MODES } from './response-mode.ts';
export const CODE_CHALLENGE_METHODS: readonly string[] = ['S256'];
/** OIDC Core §3.1.2.1 */
export const PROMPTS: readonly string[] = ['none', 'login', 'consent', 'select_account'];
/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const PKCE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Step 3 — only the code flow (RFC 6749 §4.1.1); the response mode was settled with the redirect URI. */
function checkResponseType(params: Params): void {
  const responseType = params.require('response_type');
  if (!RESPONSE_TYPES.includes(responseType))
    throw new UnsupportedResponseType(`Unsupported response_type: ${responseType}`);
  if (params.has('request') || params.has('request_uri')) {
    throw new InvalidRequest('Request objects are not supported');
  }
}

/** Step 4 — PKCE (RFC 7636): S256 only; required for public clients. */
function checkPkce(client: Client, params: Params): string | null {
  const challenge = params.get('code_challenge') ?? null;
  const method = params.get('code_challenge_method');
  if (challenge === null) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method without code_challenge');
    if (client.publicClient)
      throw new InvalidRequest('Missing parameter: code_challenge (PKCE is required for public clients)');
    return null;
  }
  if (method === undefined || !CODE_CHALLENGE_METHODS.includes(method))
    throw new InvalidRequest('code_challenge_method must be S256');
  if (!PKCE_CHALLENGE.test(challenge)) throw new InvalidRequest('Invalid parameter: code_challenge');
  return challenge;
}

/** Step 5 — prompt and max_age (OIDC Core §3.1.2.1). */
function checkPrompt(params: Params): { prompt: string[]; maxAge: number | null } {
  const prompt = (params.get('prompt') ?? '').split(' ').filter(Boolean);
  const unknown = prompt.filter((p) => !PROMPTS.includes(p));
  if (unknown.length > 0) throw new InvalidRequest(`Unsupported prompt value: ${unknown.join(' ')}`);
  if (prompt.includes('none') && prompt.length > 1)
    throw new InvalidRequest('prompt=none cannot be combined with other values');
  const rawMaxAge = params.get('max_age');
  let maxAge: number | null = null;
  if (rawMaxAge !== undefined) {
    if (!/^\d{1,10}$/.test(rawMaxAge)) throw new InvalidRequest('Invalid parameter: max_age');
    maxAge = Number(rawMaxAge);
  }
  return { prompt, maxAge };
}

/**
 * Step 6 — scopes must be the client's (TokenManager.isValidScope); offline tokens only for clients
 * allowed refresh tokens.
 */
function checkScopes(access: RealmAccess, client: Client, params: Params): string[] {
  const scopes = requestScopes(access, client, parseScope(params.get('scope'))).names;
  if (scopes.includes(OFFLINE_ACCESS) && !usesRefreshTokens(client)) {
    throw new UnauthorizedClient('Client may not request offline_access');
  }
  return scopes;
}

export function checkRequest(
  access: RealmAccess,
  client: Client,
  redirectUri: string,
  responseMode: ResponseMode,
  params: Params,
): AuthorizationRequest {
  checkResponseType(params);
  const codeChallenge = checkPkce(client, params);
  const { prompt, maxAge } = checkPrompt(params);
  const scopes = checkScopes(access, client, params);
  return {
    clientId: client.clientId,
    redirectUri,
    responseMode,
    scopes,
    state: params.get('state') ?? null,
    nonce: params.get('nonce') ?? null,
    codeChallenge,
    prompt,
    maxAge,
    loginHint: params.get('login_hint') ?? null,
    uiLocales: params.get('ui_locales') ?? null,
  };
}
