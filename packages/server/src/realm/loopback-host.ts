// Loopback hosts, where http is as private as https: the request never leaves the machine
// (RFC 8252 §8.3 makes the same exception for native apps' redirect URIs). Standards §4: a
// back-channel URL on one may use http without the realm's opt-in.
import { isIPv4 } from 'node:net';

/**
 * Whether a parsed URL's host is `localhost`, in 127.0.0.0/8, or `[::1]`. WHATWG URL has already
 * normalised the host (lower case; `127.1` and `0x7f.0.0.1` become `127.0.0.1`; `[0:0::1]`
 * becomes `[::1]`), so the comparisons run on canonical forms.
 */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname;
  if (host === 'localhost' || host === '[::1]') return true;
  return isIPv4(host) && host.startsWith('127.');
}
