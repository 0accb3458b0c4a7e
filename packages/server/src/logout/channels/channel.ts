// Delivery channels: the outbox (logout_delivery) holds messages of several kinds, and each kind is
// one folder under logout/channels/ — its planner (which rows a session's end writes), its message,
// its sender that builds the HTTP request of an attempt, its answer judge and its doctor probe. Everything else is shared by all kinds:
// claiming, the per-client in-flight cap, the address policy and pinning, timeouts, the retry
// policy (logout/delivery/retry-policy.ts), named failure causes, events, the admin API and console view,
// and the doctor.
//
// Adding a kind (e.g. `saml_soap` for SAML back-channel logout):
//   1. add its name to DELIVERY_KINDS in store/schema.ts (the column is plain text: no migration);
//   2. write `logout/channels/<kind>/sender.ts` exporting a DeliverySender: `build` signs a fresh
//      message per attempt from the delivery row (`payload` holds the kind's own inputs as JSON)
//      and returns the URL, content type and body, or null when the client no longer has that
//      endpoint; `probe` (optional) builds a harmless message a working receiver answers with
//      2xx, which `sundown doctor` sends;
//   3. register it in `channels/registry.ts` (a row of a kind not registered there is failed with
//      "unknown delivery kind", never sent by another kind's sender);
//   4. write its planner (`channels/<kind>/planner.ts`), called where sessions end
//      (logout/logout-service.ts), or its rows from an admin action;
//   5. when the answer body says whether it worked (SAML SOAP), return a `judge` with the request.
// A sender does no I/O of its own besides reading keys: the worker sends what it returns.
import type { ProviderUrls } from '../../provider-urls.ts';
import type { SigningKeys } from '../../crypto/signing-keys.ts';
import type { Client, Realm } from '../../realm/model.ts';
import type { DeliveryKind, LogoutDeliveryTable } from '../../store/schema.ts';

export interface OutgoingRequest {
  url: string;
  /** POST (default) with the body, or GET without one (Keycloak's upstream logout, channels/upstream/). */
  method?: 'GET' | 'POST';
  contentType: string;
  body: string;
  /** Extra request headers of the kind (SAML SOAP: SOAPAction). */
  headers?: Record<string, string>;
  /** How much of the answer body to read when the kind must read it whole (default 4 KiB). */
  maxBody?: number;
  /**
   * A kind whose answer carries a protocol result (a SAML LogoutResponse) judges it here; null
   * leaves the shared HTTP status classification (retry-policy.ts classifyStatus) in force.
   */
  judge?(response: {
    status: number;
    body: string;
  }): { outcome: 'delivered' | 'rejected' | 'retry'; error: string | null } | null;
}

export interface SenderInput {
  keys: SigningKeys;
  urls: ProviderUrls;
  realm: Realm;
  client: Client;
}

export interface DeliverySender {
  readonly kind: DeliveryKind;
  /** Shown in the doctor's table, e.g. "back-channel URL". */
  readonly targetName: string;
  /** The endpoint this kind posts to for a client, or null when the client has none. */
  target(input: SenderInput): string | null;
  /** The request of one attempt of `delivery`, freshly signed; null: the endpoint is gone. */
  build(input: SenderInput, delivery: LogoutDeliveryTable): Promise<OutgoingRequest | null>;
  /**
   * A kind whose receiver is no client of the realm (an upstream identity provider: the row's
   * client_id names the provider) builds its request here instead; the worker then reads no client.
   */
  buildWithoutClient?(
    input: Omit<SenderInput, 'client'>,
    delivery: LogoutDeliveryTable,
  ): Promise<OutgoingRequest | null>;
  /** A message for an unknown session that a working receiver accepts (the doctor). */
  probe?(input: SenderInput, marker: string): Promise<OutgoingRequest | null>;
}

/** Reads a delivery's JSON payload; an empty one is `{}`. */
export function payloadOf<T extends object>(delivery: Pick<LogoutDeliveryTable, 'payload'>): Partial<T> {
  return delivery.payload ? (JSON.parse(delivery.payload) as Partial<T>) : {};
}
