// One attempt of one claimed outbox row: reads its realm and client, has the sender of the row's
// kind build a freshly signed request (channels/), POSTs it, and judges the answer — delivered,
// rejected, retry later, or give up (standards §4) — into what to record. It writes nothing: the
// next round records the answer with the others (outcome-batch.ts).
import type { Logger } from 'pino';
import type { ProviderUrls } from '../../provider-urls.ts';
import type { SigningKeys } from '../../crypto/signing-keys.ts';
import type { EventInput, EventType } from '../../events/event-log.ts';
import { backchannelCa } from '../../realm/attributes.ts';
import type { RealmRepository } from '../../realm/repository.ts';
import type { LogoutDeliveryTable } from '../../store/schema.ts';
import { type BackchannelHttp, DeliveryNetworkError } from './backchannel-http.ts';
import { bodyExcerpt } from './body-excerpt.ts';
import { readReceipt } from '../channels/backchannel/receipt.ts';
import type { DeliveryStore } from './delivery-store.ts';
import { RecentReads } from './recent-reads.ts';
import { classifyStatus, nextDelay, parseRetryAfter, type RetryPolicy } from './retry-policy.ts';
import type { ChannelRegistry } from '../channels/registry.ts';
import type { OutgoingRequest } from '../channels/channel.ts';
import { whileClaimed } from './while-claimed.ts';

export interface AttemptServices {
  keys: SigningKeys;
  realms: RealmRepository;
  urls: ProviderUrls;
  http: BackchannelHttp;
  retry: RetryPolicy;
  log: Logger;
  /** The delivery channels: the sender of each row's kind. */
  channels: ChannelRegistry;
}

export interface AttemptResult {
  id: string;
  status: LogoutDeliveryTable['status'];
  httpStatus: number | null;
  error: string | null;
}

/** An answered attempt: what its round records. */
export interface Answer {
  d: LogoutDeliveryTable;
  values: Parameters<DeliveryStore['record']>[2];
  event: EventInput;
  result: AttemptResult;
}

/** A reserved row whose transaction rolled back: it does not exist, and nothing was sent. */
export const NOT_WRITTEN = Symbol('not written');

/** How one POST went, before the retry policy decides about a failure. */
interface Reply {
  outcome: 'delivered' | 'rejected' | 'retry';
  httpStatus: number | null;
  error: string | null;
  retryAfterMs: number | null;
  /** The receiver's receipt (logout-receipt.ts), as stored JSON. */
  receipt: string | null;
}

type Recorder = (
  status: LogoutDeliveryTable['status'],
  type: EventType,
  httpStatus: number | null,
  error: string | null,
  at: number,
  nextAttemptAt?: number,
  receipt?: string | null,
) => Answer;

export class DeliveryAttempt {
  readonly #o: AttemptServices;
  /** Realm and client rows, briefly cached: a mass logout sends thousands for the same few. */
  readonly #reads = new RecentReads();

  constructor(services: AttemptServices) {
    this.#o = services;
  }

  /**
   * Signs and sends one attempt of claimed row `d`; with `gate`, sends only once it says true
   * (else throws NOT_WRITTEN). Resolves with what to record.
   */
  async send(d: LogoutDeliveryTable, gate?: Promise<boolean>): Promise<Answer> {
    const now = Date.now();
    // The kind's sender builds a freshly signed request per attempt (channels/, the registry the worker is given). A kind this
    // process does not know (a row of a newer version, or written by hand) is failed: its
    // message would mean something else at another kind's endpoint.
    const sender = this.#o.channels.senderFor(d.kind);
    // An upstream identity provider is no client: its kind builds without one (channels/upstream/).
    const clientless = sender?.buildWithoutClient !== undefined;
    const [realm, client] = await whileClaimed(d.locked_until, () =>
      Promise.all([
        this.#reads.get(`r:${d.realm_id}`, () => this.#o.realms.realmById(d.realm_id)),
        clientless ? undefined : this.#reads.get(`c:${d.client_id}`, () => this.#o.realms.clientById(d.client_id)),
      ]),
    );
    const request =
      sender && realm && (client || clientless)
        ? await whileClaimed(d.locked_until, () =>
            client
              ? sender.build({ keys: this.#o.keys, urls: this.#o.urls, realm, client }, d)
              : sender.buildWithoutClient!({ keys: this.#o.keys, urls: this.#o.urls, realm }, d),
          )
        : null;
    const answer = recorder(d, realm?.id ?? d.realm_id, request ? (client?.clientId ?? null) : null);
    if (gate && !(await gate)) throw NOT_WRITTEN;
    if (!sender) {
      this.#o.log.error({ delivery: d.id, kind: d.kind }, 'delivery of an unknown kind: failed, nothing sent');
      return answer('failed', 'BACKCHANNEL_LOGOUT_FAILED', null, `unknown delivery kind '${d.kind}'`, now);
    }
    if (!realm || (!client && !clientless) || !request)
      return answer(
        'failed',
        'BACKCHANNEL_LOGOUT_FAILED',
        null,
        `Client or its ${sender.targetName} no longer exists`,
        now,
      );
    const reply = await this.#post(request, client ? backchannelCa(client, realm) : null);
    return this.#judge(d, client?.clientId ?? d.client_id, reply, answer);
  }

  async #post(request: OutgoingRequest, ca: ReturnType<typeof backchannelCa>): Promise<Reply> {
    try {
      const res = await this.#o.http.send(request.url, request, { ca });
      // Only a short escaped excerpt of the body is kept (SSRF: no reading internal services).
      const excerpt = bodyExcerpt(res.body);
      const outcome = classifyStatus(res.status);
      const reply: Reply = {
        outcome,
        httpStatus: res.status,
        error: outcome !== 'delivered' ? `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}` : null,
        retryAfterMs: parseRetryAfter(res.retryAfter),
        receipt: outcome === 'delivered' ? readReceipt(res) : null,
      };
      // A kind whose answer body carries the result (SAML SOAP LogoutResponse) decides itself.
      const verdict = request.judge?.(res);
      return verdict ? { ...reply, ...verdict } : reply;
    } catch (err) {
      // Every network failure is retried, address_denied and ca_invalid too: nothing is sent,
      // and a corrected URL, DNS record or CA file is picked up by the next attempt.
      const error = err instanceof DeliveryNetworkError ? `${err.kind}: ${err.message}` : `network: ${String(err)}`;
      return { outcome: 'retry', httpStatus: null, error, retryAfterMs: null, receipt: null };
    }
  }

  /** Delivered, rejected (not retried), retried after the policy's delay, or given up when that is past the maximum age. */
  #judge(d: LogoutDeliveryTable, receiver: string, reply: Reply, answer: Recorder): Answer {
    const { httpStatus, error } = reply;
    const done = Date.now();
    if (reply.outcome === 'delivered')
      return answer('delivered', 'BACKCHANNEL_LOGOUT_DELIVERED', httpStatus, null, done, undefined, reply.receipt);
    if (reply.outcome === 'rejected') {
      this.#o.log.warn(
        { delivery: d.id, client: receiver, status: httpStatus, error },
        'back-channel logout rejected by the receiver',
      );
      return answer('rejected', 'BACKCHANNEL_LOGOUT_REJECTED', httpStatus, error, done);
    }
    const next =
      done +
      nextDelay(this.#o.retry, { attempts: d.attempts, ageMs: done - d.created_at, retryAfterMs: reply.retryAfterMs });
    if (next - d.created_at > this.#o.retry.maxAgeMs) {
      this.#o.log.error(
        { delivery: d.id, client: receiver, attempts: d.attempts, error },
        'back-channel logout failed: giving up',
      );
      return answer('failed', 'BACKCHANNEL_LOGOUT_FAILED', httpStatus, error, done);
    }
    this.#o.log.warn(
      {
        delivery: d.id,
        client: receiver,
        attempt: d.attempts,
        error,
        nextAttemptAt: new Date(next).toISOString(),
      },
      'back-channel logout failed; will retry',
    );
    return answer('retrying', 'BACKCHANNEL_LOGOUT_RETRYING', httpStatus, error, done, next);
  }
}

/** Builds the Answer of an attempt of `d`: the row's new values, its event, the caller's result. */
function recorder(d: LogoutDeliveryTable, realmId: string, clientId: string | null): Recorder {
  return (status, type, httpStatus, error, at, nextAttemptAt, receipt = null) => ({
    d,
    values: {
      status,
      next_attempt_at: nextAttemptAt ?? at,
      last_status: httpStatus,
      last_error: error,
      finished_at: status === 'retrying' ? null : at,
      receipt,
    },
    event: {
      realmId,
      type,
      clientId,
      userId: d.user_id || null,
      sessionId: d.sso_session_id || null,
      error,
      details: {
        deliveryId: d.id,
        kind: d.kind,
        attempt: d.attempts,
        httpStatus,
        ...(d.logout_id ? { logoutId: d.logout_id } : {}),
        ...(nextAttemptAt ? { nextAttemptAt } : {}),
        ...(receipt ? { receipt: JSON.parse(receipt) as unknown } : {}),
      },
    },
    result: { id: d.id, status, httpStatus, error },
  });
}
