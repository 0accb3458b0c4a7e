// A delivery's recorded cause (`connection_refused: …`, `HTTP 503: …`, `skipped: …`; see
// delivery/backchannel-http.ts and delivery-attempt.ts) in words a signed-out user understands.
// The exact cause stays in the console and the trace; this is what the user's page says.

const CAUSES: Record<string, string> = {
  connection_refused: 'the application is not answering (connection refused)',
  timeout: 'the application did not answer in time',
  dns: 'the application’s address could not be found',
  connection_reset: 'the connection to the application was cut',
  certificate_expired: 'the application’s security certificate has expired',
  certificate_self_signed: 'the application’s security certificate is not trusted',
  certificate_hostname_mismatch: 'the application’s security certificate is for another address',
  certificate_untrusted: 'the application’s security certificate is not trusted',
  address_denied: 'the application’s address is not one Sundown may contact',
  invalid_url: 'the application’s sign-out address is not valid',
  ca_invalid: 'the certificate authority configured for the application cannot be read',
  network: 'a network error stopped the message',
};

export function plainCause(error: string | null, httpStatus: number | null): string {
  if (error?.startsWith('skipped: ')) return error.slice('skipped: '.length);
  const name = error ? /^([a-z_]+):/.exec(error)?.[1] : undefined;
  if (name && CAUSES[name]) return CAUSES[name];
  if (httpStatus !== null) {
    if (httpStatus === 429) return `the application is busy and asked to wait (HTTP ${httpStatus})`;
    if (httpStatus >= 500) return `the application answered with an error (HTTP ${httpStatus})`;
    if (httpStatus >= 400) return `the application refused the message (HTTP ${httpStatus})`;
    return `the application answered HTTP ${httpStatus}`;
  }
  if (error?.startsWith('Client or its')) return 'the application is no longer registered';
  return 'the message could not be delivered';
}
