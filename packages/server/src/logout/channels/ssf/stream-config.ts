// A stream's configuration (SSF §8.1.1): the receiver supplies `delivery` (its method, the push
// `endpoint_url` and `authorization_header`), `events_requested` and `description`; the
// transmitter supplies the rest — `stream_id`, `iss`, `aud`, `events_supported`,
// `events_delivered`, a poll stream's `endpoint_url`. A request that sets a transmitter-supplied
// field to anything but its value is refused (§8.1.1.3–4: 400), as Keycloak's transmitter does.
// Push URLs obey the receiver's `ssf.validPushUrls` and the scheme rule of every outbound channel
// (logout/outbound-url-scheme.ts); which addresses may be reached is checked at each attempt
// (delivery/outbound-address.ts).
import { isDeepStrictEqual } from 'node:util';
import { InvalidRequest } from '../../../errors.ts';
import { allowsHttpBackchannel } from '../../../realm/attributes.ts';
import type { Client, Realm } from '../../../realm/model.ts';
import { outboundUrlSchemeProblem } from '../../outbound-url-scheme.ts';
import { pushUrlAllowed, streamAudience } from './receiver-settings.ts';
import { DELIVERY_METHOD, EVENTS_SUPPORTED } from './ssf-names.ts';

/** What Sundown stores of a stream's receiver-supplied properties (ssf_stream.config). */
export interface StoredConfig {
  delivery: { method: string; endpoint_url?: string; authorization_header?: string };
  events_requested: string[];
  description?: string;
}

/** The transmitter-supplied side of a stream. */
export interface TransmitterFields {
  stream_id: string;
  iss: string;
  aud: string;
  events_supported: readonly string[];
  events_delivered: string[];
}

const TRANSMITTER_FIELDS = ['stream_id', 'iss', 'aud', 'events_supported', 'events_delivered'] as const;
const MAX_HEADER = 4096;
const MAX_DESCRIPTION = 1024;

export function transmitterFields(
  streamId: string,
  issuer: string,
  client: Client,
  stored: StoredConfig,
): TransmitterFields {
  return {
    stream_id: streamId,
    iss: issuer,
    aud: streamAudience(client),
    events_supported: EVENTS_SUPPORTED,
    events_delivered: stored.events_requested.filter((e) => EVENTS_SUPPORTED.includes(e)),
  };
}

/** The stream as the API shows it (the authorization header is write-only: it is a credential). */
export function streamRepresentation(t: TransmitterFields, stored: StoredConfig, pollUrl: string): object {
  const delivery = { ...stored.delivery };
  delete delivery.authorization_header;
  return {
    ...t,
    events_requested: stored.events_requested,
    delivery: delivery.method === DELIVERY_METHOD.poll ? { ...delivery, endpoint_url: pollUrl } : delivery,
    ...(stored.description !== undefined ? { description: stored.description } : {}),
  };
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** §8.1.1.3: a transmitter-supplied field sent with another value than the transmitter's is a 400. */
function checkTransmitterFields(body: Record<string, unknown>, t: TransmitterFields | null): void {
  for (const name of TRANSMITTER_FIELDS) {
    if (body[name] === undefined) continue;
    if (t === null || !isDeepStrictEqual(body[name], t[name]))
      throw new InvalidRequest(`${name} is supplied by the transmitter and cannot be changed`);
  }
}

function readDelivery(
  value: unknown,
  realm: Realm,
  client: Client,
  pollUrl: string | null,
  current: StoredConfig['delivery'] | undefined,
): StoredConfig['delivery'] {
  // §8.1.1.1: no delivery at all means poll.
  if (value === undefined) return current ?? { method: DELIVERY_METHOD.poll };
  const d = asObject(value);
  const method = d.method;
  if (method !== DELIVERY_METHOD.push && method !== DELIVERY_METHOD.poll)
    throw new InvalidRequest(`delivery.method must be ${DELIVERY_METHOD.push} or ${DELIVERY_METHOD.poll}`);
  if (method === DELIVERY_METHOD.poll) {
    // The poll URL is the transmitter's (RFC 8936 §2): the receiver may echo it, not choose it.
    if (d.endpoint_url !== undefined && d.endpoint_url !== pollUrl)
      throw new InvalidRequest('delivery.endpoint_url of a poll stream is supplied by the transmitter');
    return { method };
  }
  const url = d.endpoint_url;
  if (typeof url !== 'string' || url === '') throw new InvalidRequest('delivery.endpoint_url is required for push');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidRequest('delivery.endpoint_url must be an absolute URL');
  }
  if (parsed.hash) throw new InvalidRequest('delivery.endpoint_url must not have a fragment');
  const scheme = outboundUrlSchemeProblem(url, parsed, 'push endpoint', client, allowsHttpBackchannel(realm));
  if (scheme) throw new InvalidRequest(`delivery.endpoint_url ${scheme}`);
  if (!pushUrlAllowed(client, url))
    throw new InvalidRequest(
      "delivery.endpoint_url is not one of the receiver client's valid push URLs (ssf.validPushUrls)",
    );
  const header = d.authorization_header;
  if (header !== undefined && (typeof header !== 'string' || header.length > MAX_HEADER || /[\r\n]/.test(header)))
    throw new InvalidRequest('delivery.authorization_header must be a single-line string');
  return { method, endpoint_url: url, ...(header !== undefined ? { authorization_header: header } : {}) };
}

function readEvents(value: unknown, current: string[] | undefined): string[] {
  if (value === undefined) return current ?? [...EVENTS_SUPPORTED];
  if (!Array.isArray(value) || !value.every((e) => typeof e === 'string'))
    throw new InvalidRequest('events_requested must be an array of event type URIs');
  return [...new Set(value)];
}

function readDescription(value: unknown, current: string | undefined): string | undefined {
  if (value === undefined) return current;
  if (typeof value !== 'string' || value.length > MAX_DESCRIPTION)
    throw new InvalidRequest('description must be a string');
  return value;
}

export interface ConfigInput {
  realm: Realm;
  client: Client;
  /** The stream's poll URL. */
  pollUrl: string;
  /** The transmitter's fields of the stream; null at creation (the stream has no id yet). */
  transmitter: TransmitterFields | null;
}

/**
 * The receiver-supplied configuration of a create (`current` absent), a replace (PUT: what is
 * absent takes its default) or an update (PATCH: what is absent keeps `current`).
 */
export function readConfig(
  body: unknown,
  input: ConfigInput,
  mode: 'create' | 'replace' | 'update',
  current?: StoredConfig,
): StoredConfig {
  const b = asObject(body);
  checkTransmitterFields(b, input.transmitter);
  const keep = mode === 'update' ? current : undefined;
  const description = readDescription(b.description, keep?.description);
  return {
    delivery: readDelivery(b.delivery, input.realm, input.client, input.pollUrl, keep?.delivery),
    events_requested: readEvents(b.events_requested, keep?.events_requested),
    ...(description !== undefined ? { description } : {}),
  };
}
