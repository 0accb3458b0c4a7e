// One error class for every refused inbound SAML message. It carries a stable `code` (tests and
// logs), the SAML status the IdP answers with (Core §3.2.2.2: a top-level code, optionally a
// second-level one), the Keycloak event error name (org.keycloak.events.Errors) for LOGIN_ERROR /
// LOGOUT_ERROR events, a public description, and a private detail for logs only.
import { STATUS } from './saml-constants.ts';

/** Keycloak's event error names for SAML (org.keycloak.events.Errors). */
export type SamlEventError =
  | 'invalid_request'
  | 'invalid_signature'
  | 'invalid_issuer'
  | 'client_not_found'
  | 'client_disabled'
  | 'invalid_redirect_uri'
  | 'invalid_authn_request'
  | 'invalid_logout_request'
  | 'invalid_logout_response'
  | 'invalid_saml_response';

export type SamlErrorCode =
  | 'too_large'
  | 'bad_encoding'
  | 'not_well_formed'
  | 'doctype'
  | 'comment'
  | 'processing_instruction'
  | 'unexpected_message'
  | 'invalid_message'
  | 'duplicate_parameter'
  | 'signature_missing'
  | 'signature_invalid'
  | 'signature_algorithm'
  | 'signature_structure'
  | 'soap_envelope';

export type TopLevelStatus = typeof STATUS.requester | typeof STATUS.responder | typeof STATUS.versionMismatch;

export class SamlError extends Error {
  readonly code: SamlErrorCode;
  readonly status: TopLevelStatus;
  readonly subStatus: string | null;
  readonly eventError: SamlEventError;
  readonly description: string;
  readonly detail: string | undefined;

  constructor(
    code: SamlErrorCode,
    eventError: SamlEventError,
    description: string,
    options: { status?: TopLevelStatus; subStatus?: string; detail?: string } = {},
  ) {
    super(`${code}: ${description}`);
    this.name = 'SamlError';
    this.code = code;
    this.eventError = eventError;
    this.description = description;
    this.status = options.status ?? STATUS.requester;
    this.subStatus = options.subStatus ?? null;
    this.detail = options.detail;
  }
}

/** A message that is not well-formed, too large, or carries forbidden XML constructs. */
export function malformed(code: SamlErrorCode, description: string, detail?: string): SamlError {
  return new SamlError(code, 'invalid_request', description, { detail });
}

/** A missing, invalid or not-allowed signature: Requester / RequestDenied (Core §3.2.2.2). */
export function badSignature(code: SamlErrorCode, description: string, detail?: string): SamlError {
  return new SamlError(code, 'invalid_signature', description, { subStatus: STATUS.requestDenied, detail });
}
