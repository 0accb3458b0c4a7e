// The HTTP client for back-channel logout (BCL §2.5): POST form-encoded `logout_token`,
// pooled keep-alive connections, connect and response timeouts, no redirects, an optional
// extra trusted CA, and failures classified by cause. SSRF defence (standards §4): the host is
// resolved once, every address is checked against the address policy, and the connection is
// pinned to those addresses (a custom `lookup`), so DNS rebinding cannot switch the address
// between check and connect; TLS still verifies the certificate against the URL's host name.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { CidrRange } from '../../http/cidr.ts';
import { BackchannelCa, CaUnavailable, type TrustedCa } from './backchannel-ca.ts';
import { AddressPolicy } from './outbound-address.ts';

export interface BackchannelResponse {
  status: number;
  body: string;
  retryAfter: string | null;
  /** The answer's Content-Type (a receipt is JSON: delivery/logout-receipt.ts). */
  contentType: string | null;
}

export type FailureCause =
  | 'address_denied'
  | 'invalid_url'
  | 'ca_invalid'
  | 'connection_refused'
  | 'dns'
  | 'timeout'
  | 'connection_reset'
  | 'certificate_expired'
  | 'certificate_self_signed'
  | 'certificate_hostname_mismatch'
  | 'certificate_untrusted'
  | 'network';

export class DeliveryNetworkError extends Error {
  readonly kind: FailureCause;
  readonly code: string | undefined;
  constructor(cause: FailureCause, message: string, code?: string) {
    super(message);
    this.kind = cause;
    this.code = code;
  }
}

/** Name resolution, like `dns.lookup(host, { all: true })`. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface BackchannelHttpOptions {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** Ranges refused on top of the built-in ones (--backchannel-deny-cidrs). */
  denyCidrs?: readonly CidrRange[];
  /** The folder whose files the CA attribute may name (--backchannel-ca-dir); null: none. */
  caDir?: string | null;
  /** Name resolution; default the system resolver. Tests inject one. */
  resolve?: Resolver;
}

export const DEFAULT_HTTP_OPTIONS: BackchannelHttpOptions = { connectTimeoutMs: 5000, responseTimeoutMs: 10_000 };

/** A target whose addresses were resolved once and all passed the address policy. */
export interface ResolvedTarget {
  url: URL;
  /** The URL's host without IPv6 brackets. */
  hostname: string;
  port: number;
  addresses: LookupAddress[];
}

/** How much of an answer body is read; only a short excerpt of it is ever kept. */
const MAX_BODY = 4096;

const TLS_CAUSES: Record<string, [FailureCause, string]> = {
  CERT_HAS_EXPIRED: ['certificate_expired', 'TLS certificate has expired'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['certificate_self_signed', 'TLS certificate is self-signed and not trusted'],
  SELF_SIGNED_CERT_IN_CHAIN: [
    'certificate_self_signed',
    'TLS chain contains a self-signed certificate that is not trusted',
  ],
  ERR_TLS_CERT_ALTNAME_INVALID: ['certificate_hostname_mismatch', 'TLS certificate does not match the host name'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['certificate_untrusted', 'TLS certificate is not signed by a trusted CA'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['certificate_untrusted', 'TLS certificate issuer is not trusted'],
  CERT_NOT_YET_VALID: ['certificate_expired', 'TLS certificate is not yet valid'],
};

export function classifyNetworkError(err: NodeJS.ErrnoException): DeliveryNetworkError {
  if (err instanceof DeliveryNetworkError) return err;
  const code = err.code;
  if (code && TLS_CAUSES[code]) {
    const [cause, message] = TLS_CAUSES[code];
    return new DeliveryNetworkError(cause, `${message} (${code})`, code);
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new DeliveryNetworkError('connection_refused', 'Connection refused', code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ENODATA':
      return new DeliveryNetworkError('dns', `DNS lookup failed (${code})`, code);
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return new DeliveryNetworkError('timeout', 'Timed out', code);
    case 'ECONNRESET':
    case 'EPIPE':
      return new DeliveryNetworkError('connection_reset', 'Connection reset by the receiver', code);
    default:
      return new DeliveryNetworkError('network', `Network error: ${err.message}${code ? ` (${code})` : ''}`, code);
  }
}

/** The URL of a receiver; a stored URL that does not parse is a classified failure, not a TypeError. */
function parseTarget(target: string | URL): URL {
  if (target instanceof URL) return target;
  try {
    return new URL(target);
  } catch {
    throw new DeliveryNetworkError('invalid_url', 'The back-channel logout URL is not a valid URL');
  }
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, order: 'verbatim' }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** A `lookup` that answers only with the already checked addresses: no second resolution. */
export function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted =
      options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const fitting = addresses.filter((a) => wanted === 0 || a.family === wanted);
    const first = fitting[0];
    if (!first) {
      callback(Object.assign(new Error(`no IPv${wanted} address`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all) callback(null, fitting);
    else callback(null, first.address, first.family);
  };
}

export class BackchannelHttp {
  readonly #options: BackchannelHttpOptions;
  readonly #policy: AddressPolicy;
  readonly #resolve: Resolver;
  readonly #ca: BackchannelCa;
  readonly #agents = new Map<string, http.Agent>();
  /** Checked IP-literal targets by URL string (see resolveTarget). */
  readonly #literalTargets = new Map<string, ResolvedTarget>();

  constructor(options: BackchannelHttpOptions = DEFAULT_HTTP_OPTIONS) {
    this.#options = options;
    this.#policy = new AddressPolicy(options.denyCidrs ?? []);
    this.#resolve = options.resolve ?? systemResolver;
    this.#ca = new BackchannelCa(options.caDir ?? null);
  }

  /**
   * Resolves the URL's host once and checks every address (standards §4: never link-local,
   * unspecified, multicast, broadcast or operator-denied). A host with any refused address is
   * refused as a whole: a name that mixes a metadata address with others is not a receiver.
   */
  async resolveTarget(target: string | URL): Promise<ResolvedTarget> {
    // An IP-literal URL resolves to itself, and the policy is fixed: check it once. A host
    // name is resolved for every attempt (its addresses may change; each attempt pins them).
    const known = typeof target === 'string' ? this.#literalTargets.get(target) : undefined;
    if (known) return known;
    const url = parseTarget(target);
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    let addresses: LookupAddress[];
    if (isIP(hostname) !== 0) addresses = [{ address: hostname, family: isIP(hostname) }];
    else {
      try {
        addresses = await this.#resolve(hostname);
      } catch (err) {
        throw classifyNetworkError(err as NodeJS.ErrnoException);
      }
      if (addresses.length === 0) throw new DeliveryNetworkError('dns', 'DNS lookup returned no address', 'ENOTFOUND');
    }
    for (const { address } of addresses) {
      const refusal = this.#policy.refusal(address);
      if (refusal) {
        const shown = hostname === address ? address : `${hostname} resolves to ${address}, which is`;
        throw new DeliveryNetworkError('address_denied', `${shown} ${refusal}; not connecting`);
      }
    }
    const resolved = { url, hostname, port, addresses };
    if (typeof target === 'string' && isIP(hostname) !== 0) {
      if (this.#literalTargets.size >= 1000) this.#literalTargets.clear();
      this.#literalTargets.set(target, resolved);
    }
    return resolved;
  }

  /** The certificates a CA attribute value stands for (null: the system roots only). */
  async trustedCa(value: string | null): Promise<TrustedCa | null> {
    if (!value) return null;
    try {
      return await this.#ca.load(value);
    } catch (err) {
      if (err instanceof CaUnavailable) throw new DeliveryNetworkError('ca_invalid', err.message);
      throw err;
    }
  }

  #agent(url: URL, ca: TrustedCa | null): http.Agent {
    const key = `${url.protocol}|${ca?.key ?? ''}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? new https.Agent({
              keepAlive: true,
              maxSockets: 16,
              ...(ca ? { ca: [...rootCertificates, ...ca.pem] } : {}),
            })
          : new http.Agent({ keepAlive: true, maxSockets: 16 });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /**
   * POSTs `logout_token=<jwt>`; resolves with any HTTP answer (redirects are answers, never
   * followed: BCL §2.5), rejects with a classified network error. `ca`: the CA attribute value;
   * `resolved`: a target the caller already resolved (the doctor), so nothing is resolved twice.
   */
  post(
    target: string,
    logoutToken: string,
    options: { ca?: string | null; resolved?: ResolvedTarget } = {},
  ): Promise<BackchannelResponse> {
    return this.send(
      target,
      {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams({ logout_token: logoutToken }).toString(),
      },
      options,
    );
  }

  /**
   * POSTs any body with the same address policy, pinning, timeouts and failure causes: every
   * delivery kind (logout/channels/) goes through here.
   */
  send(
    target: string,
    request: {
      contentType: string;
      body: string;
      headers?: Record<string, string>;
      maxBody?: number;
      method?: 'GET' | 'POST';
    },
    options: { ca?: string | null; resolved?: ResolvedTarget } = {},
  ): Promise<BackchannelResponse> {
    const get = request.method === 'GET';
    const body = get ? '' : request.body;
    const maxBody = request.maxBody ?? MAX_BODY;
    return new Promise((resolve, reject) => {
      let settled = false;
      let req: http.ClientRequest | undefined;
      const fail = (err: DeliveryNetworkError) => {
        clear();
        if (settled) return;
        settled = true;
        req?.destroy();
        reject(err);
      };
      // Resolution counts against the connect timeout, so one attempt stays within its lease.
      const connectTimer = setTimeout(
        () => fail(new DeliveryNetworkError('timeout', `Connect timed out after ${this.#options.connectTimeoutMs} ms`)),
        this.#options.connectTimeoutMs,
      );
      const responseTimer = setTimeout(
        () => fail(new DeliveryNetworkError('timeout', `No response within ${this.#options.responseTimeoutMs} ms`)),
        this.#options.responseTimeoutMs,
      );
      const clear = () => {
        clearTimeout(connectTimer);
        clearTimeout(responseTimer);
      };
      const prepared = Promise.all([
        options.resolved ?? this.resolveTarget(target),
        /^https:/i.test(target.trimStart()) ? this.trustedCa(options.ca ?? null) : null,
      ]);
      prepared.then(
        ([resolved, ca]) => {
          if (settled) return;
          const url = resolved.url;
          req = (url.protocol === 'https:' ? https : http).request(url, {
            method: get ? 'GET' : 'POST',
            agent: this.#agent(url, ca),
            lookup: pinnedLookup(resolved.addresses),
            headers: {
              ...(get ? {} : { 'Content-Type': request.contentType, 'Content-Length': Buffer.byteLength(body) }),
              Accept: 'application/json, text/plain, */*',
              'User-Agent': 'Sundown-Backchannel-Logout/1',
              ...request.headers,
            },
          });
          req.on('socket', (socket) => {
            if (!socket.connecting) clearTimeout(connectTimer);
            else socket.once('connect', () => clearTimeout(connectTimer));
          });
          req.on('error', (err: NodeJS.ErrnoException) => fail(classifyNetworkError(err)));
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              if (size < maxBody) chunks.push(chunk);
              size += chunk.length;
            });
            res.on('end', () => {
              clear();
              if (settled) return;
              settled = true;
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8').slice(0, maxBody),
                retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null,
                contentType: res.headers['content-type'] ?? null,
              });
            });
            res.on('error', (err: NodeJS.ErrnoException) => fail(classifyNetworkError(err)));
          });
          req.end(body);
        },
        (err: unknown) =>
          fail(err instanceof DeliveryNetworkError ? err : classifyNetworkError(err as NodeJS.ErrnoException)),
      );
    });
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}
