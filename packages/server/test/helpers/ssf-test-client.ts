// A Shared Signals receiver's client of a transmitter, written from the specifications (SSF 1.0
// §7 metadata, §8.1 stream management; RFC 8936 poll) and not from Sundown's code: it finds every
// URL in the transmitter's metadata, authenticates with an OAuth bearer token (§7.1.1), and
// returns the raw answers so tests can check the status codes the specs require.

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface TransmitterMetadata {
  spec_version?: string;
  issuer: string;
  jwks_uri: string;
  delivery_methods_supported: string[];
  configuration_endpoint: string;
  status_endpoint: string;
  add_subject_endpoint: string;
  remove_subject_endpoint: string;
  verification_endpoint: string;
  authorization_schemes: Array<{ spec_urn: string }>;
  default_subjects?: string;
}

/** SSF §7.2: `/.well-known/ssf-configuration` inserted between the host and the issuer's path. */
export function wellKnownUrl(issuer: string): string {
  const u = new URL(issuer);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}/.well-known/ssf-configuration${path}`;
}

export class SsfTestClient {
  readonly #fetch: Fetch;
  readonly #token: string;
  readonly meta: TransmitterMetadata;

  private constructor(fetch: Fetch, token: string, meta: TransmitterMetadata) {
    this.#fetch = fetch;
    this.#token = token;
    this.meta = meta;
  }

  static async discover(fetch: Fetch, issuer: string, token: string): Promise<SsfTestClient> {
    const res = await fetch(wellKnownUrl(issuer));
    if (res.status !== 200) throw new Error(`metadata: HTTP ${res.status}`);
    const meta = (await res.json()) as TransmitterMetadata;
    // §7.2: the issuer in the metadata must be the one the receiver asked for.
    if (meta.issuer !== issuer) throw new Error(`metadata issuer ${meta.issuer} is not ${issuer}`);
    return new SsfTestClient(fetch, token, meta);
  }

  #call(method: string, url: string, body?: unknown): Promise<Response> {
    return this.#fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  #withId(url: string, streamId?: string): string {
    if (!streamId) return url;
    const u = new URL(url);
    u.searchParams.set('stream_id', streamId);
    return u.toString();
  }

  /** §8.1.1.1 */
  createStream(config: unknown): Promise<Response> {
    return this.#call('POST', this.meta.configuration_endpoint, config);
  }
  /** §8.1.1.2 */
  readStream(streamId?: string): Promise<Response> {
    return this.#call('GET', this.#withId(this.meta.configuration_endpoint, streamId));
  }
  /** §8.1.1.3 */
  updateStream(config: unknown): Promise<Response> {
    return this.#call('PATCH', this.meta.configuration_endpoint, config);
  }
  /** §8.1.1.4 */
  replaceStream(config: unknown): Promise<Response> {
    return this.#call('PUT', this.meta.configuration_endpoint, config);
  }
  /** §8.1.1.5 */
  deleteStream(streamId: string): Promise<Response> {
    return this.#call('DELETE', this.#withId(this.meta.configuration_endpoint, streamId));
  }
  /** §8.1.2.1 */
  readStatus(streamId: string): Promise<Response> {
    return this.#call('GET', this.#withId(this.meta.status_endpoint, streamId));
  }
  /** §8.1.2.2 */
  updateStatus(streamId: string, status: string, reason?: string): Promise<Response> {
    return this.#call('POST', this.meta.status_endpoint, {
      stream_id: streamId,
      status,
      ...(reason ? { reason } : {}),
    });
  }
  /** §8.1.3.1 */
  addSubject(streamId: string, subject: unknown): Promise<Response> {
    return this.#call('POST', this.meta.add_subject_endpoint, { stream_id: streamId, subject });
  }
  /** §8.1.3.2 */
  removeSubject(streamId: string, subject: unknown): Promise<Response> {
    return this.#call('POST', this.meta.remove_subject_endpoint, { stream_id: streamId, subject });
  }
  /** §8.1.4.2 */
  verify(streamId: string, state?: string): Promise<Response> {
    return this.#call('POST', this.meta.verification_endpoint, { stream_id: streamId, ...(state ? { state } : {}) });
  }
  /** RFC 8936 §2.4: the stream's poll endpoint (delivery.endpoint_url). */
  poll(endpoint: string, request: Record<string, unknown>): Promise<Response> {
    return this.#call('POST', endpoint, request);
  }
}
