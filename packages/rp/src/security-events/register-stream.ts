// Registering a stream with a transmitter (SSF 1.0 §7 discovery, §8.1.1 stream creation): find
// `/.well-known/ssf-configuration` (issuer path appended, §7.2), get an access token by client
// credentials, POST the stream configuration, and on 409 (one stream per client, as Keycloak
// answers) read the stream that exists.
import { POLL_DELIVERY, PUSH_DELIVERY } from './event-types.ts';

export type StreamDelivery = { method: 'push'; endpointUrl: string; authorizationHeader?: string } | { method: 'poll' };

export interface RegisterStreamOptions {
  /** The transmitter's issuer (for Sundown and Keycloak: the realm issuer). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  delivery: StreamDelivery;
  /** Event type URIs to ask for; default every type the transmitter supports. */
  eventsRequested?: string[];
  description?: string;
  /** Token endpoint; default the issuer's OpenID discovery `token_endpoint`. */
  tokenEndpoint?: string;
  /** Scopes asked for (default `ssf.manage ssf.read`, Keycloak 26.7's names). */
  scope?: string;
}

/** The transmitter's configuration metadata (SSF 1.0 §7.1), the members this SDK reads. */
export interface TransmitterMetadata {
  issuer: string;
  jwks_uri?: string;
  delivery_methods_supported?: string[];
  configuration_endpoint?: string;
  status_endpoint?: string;
  verification_endpoint?: string;
  add_subject_endpoint?: string;
  remove_subject_endpoint?: string;
  [member: string]: unknown;
}

/** A stream configuration (SSF 1.0 §8.1.1), the members this SDK reads. */
export interface StreamConfiguration {
  stream_id: string;
  iss: string;
  aud: string | string[];
  delivery: { method: string; endpoint_url?: string; authorization_header?: string };
  events_supported?: string[];
  events_requested?: string[];
  events_delivered?: string[];
  [member: string]: unknown;
}

export interface RegisteredStream {
  stream: StreamConfiguration;
  transmitter: TransmitterMetadata;
  /** The access token used; the poller can use it while it lasts (see `accessToken` of SetPollerOptions). */
  accessToken: string;
  /** True when the stream was created now, false when it existed (409) and was read. */
  created: boolean;
}

export class StreamRegistrationError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'StreamRegistrationError';
    this.status = status;
  }
}

/** SSF 1.0 §7.2: the well-known URI with the issuer's path after it. */
export function ssfConfigurationUrl(issuer: string): URL {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return new URL(`/.well-known/ssf-configuration${path}`, url.origin);
}

async function getJson(res: Response, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === 'object' && json !== null) return json as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new StreamRegistrationError(`${what}: the answer is not JSON (HTTP ${res.status})`, res.status);
}

/** The transmitter's metadata; its `issuer` must be the issuer asked for (SSF 1.0 §7.2.1). */
export async function discoverTransmitter(issuer: string): Promise<TransmitterMetadata> {
  const res = await fetch(ssfConfigurationUrl(issuer), { headers: { accept: 'application/json' }, redirect: 'manual' });
  if (res.status !== 200) throw new StreamRegistrationError(`SSF discovery answered HTTP ${res.status}`, res.status);
  const metadata = (await getJson(res, 'SSF discovery')) as TransmitterMetadata;
  if (metadata.issuer !== issuer)
    throw new StreamRegistrationError(`SSF discovery names issuer ${String(metadata.issuer)}, not ${issuer}`);
  return metadata;
}

async function clientCredentialsToken(options: RegisterStreamOptions): Promise<string> {
  let tokenEndpoint = options.tokenEndpoint;
  if (!tokenEndpoint) {
    const res = await fetch(`${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      redirect: 'manual',
    });
    if (res.status !== 200)
      throw new StreamRegistrationError(`OpenID discovery answered HTTP ${res.status}`, res.status);
    tokenEndpoint = String((await getJson(res, 'OpenID discovery')).token_endpoint);
  }
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // RFC 6749 §2.3.1: client id and secret form-encoded, then Basic.
      authorization: `Basic ${btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`)}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: options.scope ?? 'ssf.manage ssf.read' }),
    redirect: 'manual',
  });
  const json = await getJson(res, 'Token request');
  if (res.status !== 200 || typeof json.access_token !== 'string')
    throw new StreamRegistrationError(
      `Token request failed (HTTP ${res.status}${typeof json.error === 'string' ? `: ${json.error}` : ''})`,
      res.status,
    );
  return json.access_token;
}

/**
 * Creates this client's stream at the transmitter, or reads the one it has.
 *
 * @example
 * const { stream } = await registerStream({
 *   issuer: 'https://sso.example.com/realms/acme', clientId: 'my-app', clientSecret,
 *   delivery: { method: 'push', endpointUrl: 'https://app.example.com/ssf/events', authorizationHeader: 'Bearer s3cret' },
 *   eventsRequested: [SESSION_REVOKED],
 * });
 */
export async function registerStream(options: RegisterStreamOptions): Promise<RegisteredStream> {
  const transmitter = await discoverTransmitter(options.issuer);
  if (!transmitter.configuration_endpoint)
    throw new StreamRegistrationError('The transmitter has no configuration_endpoint');
  const accessToken = await clientCredentialsToken(options);
  const delivery =
    options.delivery.method === 'push'
      ? {
          method: PUSH_DELIVERY,
          endpoint_url: options.delivery.endpointUrl,
          ...(options.delivery.authorizationHeader
            ? { authorization_header: options.delivery.authorizationHeader }
            : {}),
        }
      : { method: POLL_DELIVERY };
  const auth = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
  const res = await fetch(transmitter.configuration_endpoint, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      delivery,
      ...(options.eventsRequested ? { events_requested: options.eventsRequested } : {}),
      ...(options.description ? { description: options.description } : {}),
    }),
    redirect: 'manual',
  });
  if (res.status === 201 || res.status === 200)
    return {
      stream: (await getJson(res, 'Stream creation')) as StreamConfiguration,
      transmitter,
      accessToken,
      created: true,
    };
  if (res.status !== 409) {
    const json = await getJson(res, 'Stream creation').catch(() => ({}) as Record<string, unknown>);
    throw new StreamRegistrationError(
      `Stream creation answered HTTP ${res.status}${typeof json.error === 'string' ? ` (${json.error})` : ''}`,
      res.status,
    );
  }
  await res.body?.cancel();
  // SSF 1.0 §8.1.1.2: a GET without stream_id lists the client's streams (an object or an array).
  const read = await fetch(transmitter.configuration_endpoint, { headers: auth, redirect: 'manual' });
  if (read.status !== 200) throw new StreamRegistrationError(`Stream read answered HTTP ${read.status}`, read.status);
  const body = JSON.parse(await read.text()) as StreamConfiguration | StreamConfiguration[];
  const stream = Array.isArray(body) ? body[0] : body;
  if (!stream) throw new StreamRegistrationError('The transmitter answered 409 but lists no stream', 409);
  return { stream, transmitter, accessToken, created: false };
}

/**
 * Asks the transmitter for a verification event (SSF 1.0 §8.1.4.2): it answers 204 and then
 * delivers an SSF verification SET carrying `state` on the stream — to `onVerification`.
 *
 * @example
 * await requestVerification({ transmitter, accessToken, streamId: stream.stream_id, state: randomUUID() });
 */
export async function requestVerification(options: {
  transmitter: TransmitterMetadata;
  accessToken: string;
  streamId: string;
  state?: string;
}): Promise<void> {
  if (!options.transmitter.verification_endpoint)
    throw new StreamRegistrationError('The transmitter has no verification_endpoint');
  const res = await fetch(options.transmitter.verification_endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ stream_id: options.streamId, ...(options.state ? { state: options.state } : {}) }),
    redirect: 'manual',
  });
  await res.body?.cancel();
  if (res.status !== 204 && res.status !== 200)
    throw new StreamRegistrationError(`Verification request answered HTTP ${res.status}`, res.status);
}
