// IP address ranges in CIDR notation (RFC 4632, RFC 4291 §2.3), for operator settings such as
// --trusted-proxies. Matching is node:net's BlockList; this module only parses and explains.
import { BlockList, isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export interface CidrRange {
  address: string;
  prefix: number;
  family: IpFamily;
}

/**
 * An address as a socket or header gives it, reduced to plain form: brackets and an IPv6 zone
 * are dropped and an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) becomes IPv4. null when it
 * is not an IP address.
 */
export function normalizeAddress(raw: string): string | null {
  let a = raw.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone > 0 && a.includes(':')) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  if (mapped) a = mapped[1]!;
  const family = isIP(a);
  if (family === 4) return a;
  if (family === 6) return a.toLowerCase();
  return null;
}

export function familyOf(address: string): IpFamily {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** The sixteen bytes of an IPv6 address (which must be valid, without zone or brackets). */
export function ipv6Bytes(address: string): number[] {
  let text = address;
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.flatMap((g) => {
    const n = Number.parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
}

function addressBytes(address: string): number[] {
  return isIP(address) === 4 ? address.split('.').map(Number) : ipv6Bytes(address);
}

/**
 * The IPv6 /64 an address belongs to (e.g. `2001:db8:1:2::/64`); an IPv4 address unchanged.
 * One subscriber usually holds a whole /64, so limits keyed on single IPv6 addresses would
 * be trivial to step around.
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const bytes = ipv6Bytes(address);
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `${groups.join(':')}::/64`;
}

/** Parses `192.0.2.0/24`, `2001:db8::/32` or a single address; returns an error text otherwise. */
export function parseCidr(text: string): CidrRange | string {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressPart = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const address = normalizeAddress(addressPart);
  if (!address || addressPart.includes('%')) return `"${trimmed}" is not an IP address or CIDR range`;
  const family = familyOf(address);
  const bits = family === 'ipv4' ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const p = trimmed.slice(slash + 1);
    prefix = /^\d{1,3}$/.test(p) ? Number(p) : Number.NaN;
    if (!(prefix >= 0 && prefix <= bits)) {
      return `"${trimmed}": the prefix length must be a whole number from 0 to ${bits}`;
    }
  }
  const bytes = addressBytes(address);
  for (let bit = prefix; bit < bits; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) {
      return `"${trimmed}" has bits set after the /${prefix} prefix (write the network address)`;
    }
  }
  return { address, prefix, family };
}

/** A set of CIDR ranges. */
export class CidrList {
  readonly ranges: readonly CidrRange[];
  readonly #blocks = new BlockList();

  private constructor(ranges: CidrRange[]) {
    this.ranges = ranges;
    for (const r of ranges) this.#blocks.addSubnet(r.address, r.prefix, r.family);
  }

  /** Parses every entry; `problems` names each bad one. */
  static parse(entries: readonly string[]): { list: CidrList; problems: string[] } {
    const ranges: CidrRange[] = [];
    const problems: string[] = [];
    for (const entry of entries) {
      const parsed = parseCidr(entry);
      if (typeof parsed === 'string') problems.push(parsed);
      else ranges.push(parsed);
    }
    return { list: new CidrList(ranges), problems };
  }

  /** A list of ranges already parsed (e.g. from validated configuration). */
  static fromRanges(ranges: readonly CidrRange[]): CidrList {
    return new CidrList([...ranges]);
  }

  /** Parses entries known to be valid (e.g. from validated configuration); throws otherwise. */
  static of(entries: readonly string[]): CidrList {
    const { list, problems } = CidrList.parse(entries);
    if (problems.length > 0) throw new TypeError(problems.join('; '));
    return list;
  }

  get size(): number {
    return this.ranges.length;
  }

  /** Whether an address (in any form normalizeAddress takes) lies in one of the ranges. */
  contains(raw: string): boolean {
    const address = normalizeAddress(raw);
    return address !== null && this.#blocks.check(address, familyOf(address));
  }

  toString(): string {
    return this.ranges.map((r) => `${r.address}/${r.prefix}`).join(',');
  }
}
