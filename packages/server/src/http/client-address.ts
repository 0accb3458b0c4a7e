// The client's address for throttling and events: the socket peer, unless that peer is a
// trusted proxy (--trusted-proxies). Then the forwarding headers are read from the right —
// each trusted hop appends what it saw — and the right-most address that is not itself a
// trusted proxy is the client; anything further left was written by the client and is ignored.
//
// A proxy writes one of the two headers and usually passes the other through from the client.
// --trusted-proxy-header names the one it writes, and the other is ignored. Without it, headers
// that disagree leave two candidates: the throttle counts an attempt against both (one of them
// is the client's real address), events record the proxy's.
import { type CidrList, normalizeAddress } from './cidr.ts';

/** The forwarding header the trusted proxies write (--trusted-proxy-header). */
export type TrustedProxyHeader = 'x-forwarded-for' | 'forwarded';
export const TRUSTED_PROXY_HEADERS: readonly TrustedProxyHeader[] = ['x-forwarded-for', 'forwarded'];

/** Which peers' forwarding headers are believed, and which header they write (null: either). */
export interface ProxyTrust {
  trustedProxies: CidrList;
  trustedProxyHeader: TrustedProxyHeader | null;
}

/** Where a request comes from. */
export interface ClientAddress {
  /** The client as far as it is known, for events and sessions; null when the peer is unknown. */
  address: string | null;
  /**
   * Every address the request may come from, for the login throttle: one, or two when the
   * forwarding headers disagree and no --trusted-proxy-header says which one the proxy wrote.
   */
  candidates: readonly string[];
}

/** A hop in a forwarding header: its address, or null when it is absent, `unknown` or obfuscated. */
type Hop = string | null;

/** Splits on `separator` outside quoted strings (RFC 7230 §3.2.6, as RFC 7239 §4 uses it). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** `192.0.2.1:4711` and `[2001:db8::1]:4711` lose their port; a bare address stays. */
function withoutPort(value: string): Hop {
  const v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(v);
  if (bracketed) return normalizeAddress(bracketed[1]!);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(v);
  return normalizeAddress(v4 ? v4[1]! : v);
}

/** RFC 7239 §4: `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"`. */
export function forwardedHops(header: string): Hop[] {
  return splitOutsideQuotes(header, ',').map((element) => {
    for (const pair of splitOutsideQuotes(element, ';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
        value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      }
      // §6.2 `unknown` and §6.3 obfuscated identifiers (`_hidden`) name no address.
      return withoutPort(value);
    }
    return null;
  });
}

/** `X-Forwarded-For: client, proxy1, proxy2` (the de facto format). */
export function xForwardedForHops(header: string): Hop[] {
  return header.split(',').map(withoutPort);
}

/**
 * Walks the hops from the right, starting at the trusted peer: the first address that is not
 * a trusted proxy is the client. A hop that names no address stops the walk at the last trusted
 * hop, which is then the best we know; so does a list made only of trusted proxies.
 */
function rightmostUntrusted(hops: Hop[], peer: string, trusted: CidrList): string {
  let last = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (hop === null) return last;
    if (!trusted.contains(hop)) return hop;
    last = hop;
  }
  return last;
}

export function resolveClientAddress(
  peer: string | null,
  headers: Headers,
  trusted: CidrList,
  header: TrustedProxyHeader | null = null,
): ClientAddress {
  const direct = peer === null ? null : normalizeAddress(peer);
  if (direct === null) return { address: null, candidates: [] };
  if (trusted.size === 0 || !trusted.contains(direct)) return { address: direct, candidates: [direct] };
  const forwarded = header === 'x-forwarded-for' ? null : headers.get('forwarded');
  const xff = header === 'forwarded' ? null : headers.get('x-forwarded-for');
  const viaForwarded = forwarded === null ? null : rightmostUntrusted(forwardedHops(forwarded), direct, trusted);
  const viaXff = xff === null ? null : rightmostUntrusted(xForwardedForHops(xff), direct, trusted);
  // Both present and different: one came from the client, and we cannot tell which. Keying on
  // the proxy's own address instead would let a client escape its lockout by adding a header.
  if (viaForwarded !== null && viaXff !== null && viaForwarded !== viaXff)
    return { address: direct, candidates: [viaForwarded, viaXff] };
  const address = viaForwarded ?? viaXff ?? direct;
  return { address, candidates: [address] };
}

/** The client's address for events and sessions (see resolveClientAddress). */
export function clientAddress(
  peer: string | null,
  headers: Headers,
  trusted: CidrList,
  header: TrustedProxyHeader | null = null,
): string | null {
  return resolveClientAddress(peer, headers, trusted, header).address;
}
