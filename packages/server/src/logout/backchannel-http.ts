// The HTTP client for back-channel logout (BCL §2.5): POST form-encoded `logout_token`,
// pooled keep-alive connections, connect and response timeouts, no redirects, an optional
// extra trusted CA, and failures classified by cause.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export interface BackchannelResponse {
  status: number;
  body: string;
  retryAfter: string | null;
}

export type FailureCause =
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

export interface BackchannelHttpOptions {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

export const DEFAULT_HTTP_OPTIONS: BackchannelHttpOptions = { connectTimeoutMs: 5000, responseTimeoutMs: 10_000 };

const MAX_BODY = 4096;

const TLS_CAUSES: Record<string, [FailureCause, string]> = {
  CERT_HAS_EXPIRED: ['certificate_expired', 'TLS certificate has expired'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['certificate_self_signed', 'TLS certificate is self-signed and not trusted'],
  SELF_SIGNED_CERT_IN_CHAIN: ['certificate_self_signed', 'TLS chain contains a self-signed certificate that is not trusted'],
  ERR_TLS_CERT_ALTNAME_INVALID: ['certificate_hostname_mismatch', 'TLS certificate does not match the host name'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['certificate_untrusted', 'TLS certificate is not signed by a trusted CA'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['certificate_untrusted', 'TLS certificate issuer is not trusted'],
  CERT_NOT_YET_VALID: ['certificate_expired', 'TLS certificate is not yet valid'],
};

export function classifyNetworkError(err: NodeJS.ErrnoException): DeliveryNetworkError {
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

export class BackchannelHttp {
  readonly #options: BackchannelHttpOptions;
  readonly #agents = new Map<string, http.Agent>();

  constructor(options: BackchannelHttpOptions = DEFAULT_HTTP_OPTIONS) {
    this.#options = options;
  }

  #agent(url: URL, caFile: string | null): http.Agent {
    const key = `${url.protocol}|${caFile ?? ''}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? new https.Agent({ keepAlive: true, maxSockets: 16, ...(caFile ? { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] } : {}) })
          : new http.Agent({ keepAlive: true, maxSockets: 16 });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** POSTs `logout_token=<jwt>`; resolves with any HTTP answer, rejects with a classified network error. */
  post(target: string, logoutToken: string, caFile: string | null = null): Promise<BackchannelResponse> {
    const url = new URL(target);
    const body = new URLSearchParams({ logout_token: logoutToken }).toString();
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: DeliveryNetworkError) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(err);
      };
      const req = transport.request(url, {
        method: 'POST',
        agent: this.#agent(url, caFile),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          Accept: 'application/json, text/plain, */*',
          'User-Agent': 'Sundown-Backchannel-Logout/1',
        },
      });
      const connectTimer = setTimeout(() => fail(new DeliveryNetworkError('timeout', `Connect timed out after ${this.#options.connectTimeoutMs} ms`)), this.#options.connectTimeoutMs);
      const responseTimer = setTimeout(() => fail(new DeliveryNetworkError('timeout', `No response within ${this.#options.responseTimeoutMs} ms`)), this.#options.responseTimeoutMs);
      const clear = () => {
        clearTimeout(connectTimer);
        clearTimeout(responseTimer);
      };
      req.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        clear();
        fail(classifyNetworkError(err));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          clear();
          if (settled) return;
          settled = true;
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY),
            retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null,
          });
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          clear();
          fail(classifyNetworkError(err));
        });
      });
      req.end(body);
    });
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}
