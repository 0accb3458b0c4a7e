// Admin API errors in both vocabularies: OAuth's `error` / `error_description` (as every other
// Sundown JSON endpoint) and Keycloak's `errorMessage`, which Keycloak's admin REST API answers
// with and which scripts written for it (and @keycloak/keycloak-admin-client's NetworkError
// `responseData`) read.
import type { Logger } from 'pino';
import { asOAuthError } from '../errors.ts';
import { jsonError } from '../http/respond.ts';

export function adminJsonError(log: Logger, thrown: unknown): Response {
  const err = asOAuthError(thrown);
  // jsonError logs once and sets the status and headers (no-store, WWW-Authenticate on 401).
  const answer = jsonError(log, err);
  return Response.json(
    { error: err.error, error_description: err.description, errorMessage: err.description },
    { status: answer.status, headers: answer.headers },
  );
}
