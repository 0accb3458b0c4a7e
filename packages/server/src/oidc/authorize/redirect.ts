// Builds the redirect back to the client, keeping the registered URI's own query
// (RFC 6749 §3.1.2) and adding `iss` (RFC 9207).
export function clientRedirect(
  redirectUri: string,
  issuer: string,
  values: Record<string, string | null | undefined>,
): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) url.searchParams.append(k, v);
  url.searchParams.append('iss', issuer);
  return new Response(null, {
    status: 302,
    headers: { Location: url.toString(), 'Cache-Control': 'no-store' },
  });
}
