// Which addresses back-channel delivery and the doctor may connect to (standards §4, SSRF).
// Always refused: addresses that are never a receiver but reach something else — the
// unspecified address (on Linux 0.0.0.0 reaches this host), link-local (cloud metadata at
// 169.254.169.254 and fe80::/10), multicast and broadcast — and the AWS IPv6 instance metadata
// address fd00:ec2::254 (a unique-local address, so not covered by the link-local rule). An
// IPv6 address that embeds an IPv4 address — IPv4-mapped (::ffff:0:0/96), IPv4-compatible
// (::/96, RFC 4291 §2.5.5.1), IPv4-translated (::ffff:0:0:0/96, RFC 2765 §2.1), NAT64
// (64:ff9b::/96, RFC 6052; 64:ff9b:1::/48, RFC 8215) and 6to4 (2002::/16, RFC 3056) — reaches
// that IPv4 address through a translator or tunnel, so the IPv4 rules are applied to the
// embedded address as well. Refused on request: the ranges the operator lists in
// --backchannel-deny-cidrs. Loopback and private ranges stay allowed: local development and
// in-cluster receivers live there.
import { isIP } from 'node:net';
import { CidrList, type CidrRange, ipv6Bytes, normalizeAddress } from '../../http/cidr.ts';

const ALWAYS_REFUSED: ReadonlyArray<[reason: string, ranges: string[]]> = [
  ['an unspecified address (RFC 6890)', ['0.0.0.0/8', '::/128']],
  ['a link-local address (cloud metadata lives there; RFC 3927, RFC 4291 §2.5.6)', ['169.254.0.0/16', 'fe80::/10']],
  ['a multicast address (RFC 5771, RFC 4291 §2.7)', ['224.0.0.0/4', 'ff00::/8']],
  ['the broadcast address (RFC 919)', ['255.255.255.255/32']],
  ['the AWS IPv6 instance metadata address', ['fd00:ec2::254/128']],
];

const dotted = (b: readonly number[]) => b.join('.');
const zero = (b: readonly number[]) => b.every((x) => x === 0);

/**
 * The IPv4 addresses an IPv6 address can stand for through translation or tunnelling. For the
 * local-use NAT64 prefix 64:ff9b:1::/48 the operator picks the prefix length, so every RFC 6052
 * §2.2 layout within it is tried.
 */
export function embeddedIpv4(address: string): string[] {
  const b = ipv6Bytes(address);
  const word = (i: number) => (b[i]! << 8) | b[i + 1]!;
  const found: string[] = [];
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated), ::a.b.c.d (compatible, not ::1 / ::).
  if (zero(b.slice(0, 10)) && word(10) === 0xffff) found.push(dotted(b.slice(12)));
  if (zero(b.slice(0, 8)) && word(8) === 0xffff && word(10) === 0) found.push(dotted(b.slice(12)));
  if (zero(b.slice(0, 12)) && !zero(b.slice(12, 15))) found.push(dotted(b.slice(12)));
  // 64:ff9b::/96, the well-known NAT64 prefix.
  if (word(0) === 0x64 && word(2) === 0xff9b && zero(b.slice(4, 12))) found.push(dotted(b.slice(12)));
  // 64:ff9b:1::/48: RFC 6052 layouts for /48, /56, /64 (bits 64–71 are skipped) and /96.
  if (word(0) === 0x64 && word(2) === 0xff9b && word(4) === 1) {
    found.push(
      dotted([b[6]!, b[7]!, b[9]!, b[10]!]),
      dotted([b[7]!, b[9]!, b[10]!, b[11]!]),
      dotted(b.slice(9, 13)),
      dotted(b.slice(12)),
    );
  }
  // 2002:a.b.c.d::/48, 6to4.
  if (word(0) === 0x2002) found.push(dotted(b.slice(2, 6)));
  return found;
}

export class AddressPolicy {
  readonly #rules: ReadonlyArray<{ reason: string; list: CidrList }>;

  /** `denied`: the operator's extra ranges (--backchannel-deny-cidrs). */
  constructor(denied: CidrList | readonly CidrRange[] = []) {
    this.#rules = [
      ...ALWAYS_REFUSED.map(([reason, ranges]) => ({ reason, list: CidrList.of(ranges) })),
      {
        reason: 'in a range denied by --backchannel-deny-cidrs',
        list: denied instanceof CidrList ? denied : CidrList.fromRanges(denied),
      },
    ];
  }

  /** Why connecting to `address` is refused, or null when it is allowed. */
  refusal(address: string): string | null {
    if (isIP(address) === 0) return 'not an IP address';
    const direct = this.#rules.find((rule) => rule.list.contains(address))?.reason;
    if (direct) return direct;
    const plain = normalizeAddress(address);
    if (plain === null || isIP(plain) !== 6) return null;
    for (const v4 of embeddedIpv4(plain)) {
      const reason = this.#rules.find((rule) => rule.list.contains(v4))?.reason;
      if (reason) return `${reason}, embedded as ${v4}`;
    }
    return null;
  }
}
