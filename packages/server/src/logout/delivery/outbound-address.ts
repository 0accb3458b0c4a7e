// Which addresses back-channel delivery and the doctor may connect to (standards §4, SSRF).
// Always refused: addresses that are never a receiver but reach something else — the
// unspecified address (on Linux 0.0.0.0 reaches this host), link-local (cloud metadata at
// 169.254.169.254 and fe80::/10), multicast and broadcast — in their IPv4-mapped IPv6 forms
// too (node:net BlockList compares ::ffff:a.b.c.d as a.b.c.d). Refused on request: the ranges
// the operator lists in --backchannel-deny-cidrs. Loopback and private ranges stay allowed:
// local development and in-cluster receivers live there.
import { isIP } from 'node:net';
import { CidrList, type CidrRange } from '../../http/cidr.ts';

const ALWAYS_REFUSED: ReadonlyArray<[reason: string, ranges: string[]]> = [
  ['an unspecified address (RFC 6890)', ['0.0.0.0/8', '::/128']],
  ['a link-local address (cloud metadata lives there; RFC 3927, RFC 4291 §2.5.6)', ['169.254.0.0/16', 'fe80::/10']],
  ['a multicast address (RFC 5771, RFC 4291 §2.7)', ['224.0.0.0/4', 'ff00::/8']],
  ['the broadcast address (RFC 919)', ['255.255.255.255/32']],
];

export class AddressPolicy {
  readonly #rules: ReadonlyArray<{ reason: string; list: CidrList }>;

  /** `denied`: the operator's extra ranges (--backchannel-deny-cidrs). */
  constructor(denied: readonly CidrRange[] = []) {
    this.#rules = [
      ...ALWAYS_REFUSED.map(([reason, ranges]) => ({ reason, list: CidrList.of(ranges) })),
      { reason: 'in a range denied by --backchannel-deny-cidrs', list: CidrList.fromRanges(denied) },
    ];
  }

  /** Why connecting to `address` is refused, or null when it is allowed. */
  refusal(address: string): string | null {
    if (isIP(address) === 0) return 'not an IP address';
    return this.#rules.find((rule) => rule.list.contains(address))?.reason ?? null;
  }
}
