// RFC 6750 §3: the challenge of a protected resource. A request without a token gets the bare
// scheme (§3.1: no error code when no authentication was tried); a refused token gets
// `error="invalid_token"` and a description, both as quoted strings.

function quoted(value: string): string {
  // RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E — no quote, no backslash.
  return `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ')}"`;
}

/** `Bearer` with the optional `realm`, and the error and its description when a token was refused. */
export function bearerChallenge(options: { realm?: string; error?: string; description?: string }): string {
  const params: string[] = [];
  if (options.realm !== undefined) params.push(`realm=${quoted(options.realm)}`);
  if (options.error !== undefined) params.push(`error=${quoted(options.error)}`);
  if (options.description !== undefined) params.push(`error_description=${quoted(options.description)}`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

/**
 * The token of an `Authorization: Bearer` header (RFC 6750 §2.1), `undefined` when there is
 * none, or `null` when the header is there but not a usable bearer credential.
 */
export function readBearer(authorization: string | null | undefined): string | null | undefined {
  if (authorization === null || authorization === undefined || authorization === '') return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  return match ? match[1]! : null;
}
