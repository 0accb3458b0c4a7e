// The Shared Signals transmitter of every realm (SSF 1.0): its streams (§8.1, one per receiver
// client as in Keycloak 26.7), the events it writes to the outbox — session-revoked at every
// session end (planned inside the logout's transaction, logout-service.ts), credential-change and
// the RISC account events from the admin API, verification (§8.1.4) and stream-updated (§8.1.5)
// — and the poll endpoint's reads (RFC 8936). Pushing is the delivery worker's (sender.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '../../../crypto/random.ts';
import type { SigningKeys } from '../../../crypto/signing-keys.ts';
import { InvalidRequest, NotFound, Conflict } from '../../../errors.ts';
import type { ProviderUrls } from '../../../provider-urls.ts';
import type { Client, Realm, User } from '../../../realm/model.ts';
import type { RealmRepository } from '../../../realm/repository.ts';
import { defaultStarter, type EndReason, type LogoutStarter } from '../../../sessions/session-ender.ts';
import type { Executor } from '../../../store/executor.ts';
import type { LogoutDeliveryTable } from '../../../store/schema.ts';
import type { DeliveryStore } from '../../delivery/delivery-store.ts';
import { eventRow, type EventTarget, type SetPayload, storedConfig } from './event-rows.ts';
import { isReceiver, streamAudience, transmitterEnabled, userSubjectFormat, wantsUser } from './receiver-settings.ts';
import { signSecurityEventToken } from './security-event-token.ts';
import { sessionRevokedEvent } from './session-revoked.ts';
import { DELIVERY_METHOD, SSF_EVENT } from './ssf-names.ts';
import { readConfig, streamRepresentation, transmitterFields } from './stream-config.ts';
import { STREAM_STATUSES, type SsfStreamStore, type StreamRow, type StreamStatus } from './stream-store.ts';
import { sessionSubject, streamSubject, type SubjectId, userSubject } from './subject-ids.ts';

export interface SsfTransmitterDeps {
  streams: SsfStreamStore;
  deliveries: DeliveryStore;
  realms: RealmRepository;
  urls: ProviderUrls;
  keys: SigningKeys;
  /** Writes rows no session end produces, and wakes the workers (LogoutService.enqueue). */
  enqueue(rows: readonly LogoutDeliveryTable[]): Promise<string[]>;
  /** Wakes the delivery workers (rows released from hold). */
  wake(): void;
  /** How long a poll without returnImmediately waits for an event (RFC 8936 §2.4). */
  longPollMs?: number;
}

/** RFC 8936 §2.4 `maxEvents`: the default and the most one poll answers. */
const DEFAULT_MAX_EVENTS = 100;
const MAX_EVENTS = 1000;
const LONG_POLL_MS = 15_000;
const LONG_POLL_STEP_MS = 200;

/** A session end, as the logout service tells it. */
export interface EndedSession {
  id: string;
  user_id: string;
}

export class SsfTransmitter {
  readonly #d: SsfTransmitterDeps;

  constructor(deps: SsfTransmitterDeps) {
    this.#d = deps;
  }

  /** The transmitter's URLs (SSF §7 metadata), under the realm's issuer as Keycloak puts them. */
  endpoints(realm: Realm): {
    base: string;
    streams: string;
    status: string;
    verify: string;
    add: string;
    remove: string;
    poll: string;
  } {
    const base = `${this.#d.urls.issuer(realm.name)}/ssf/transmitter`;
    return {
      base,
      streams: `${base}/streams`,
      status: `${base}/streams/status`,
      verify: `${base}/verify`,
      add: `${base}/subjects/add`,
      remove: `${base}/subjects/remove`,
      poll: `${base}/poll`,
    };
  }

  // --- Events -------------------------------------------------------------------------------

  /**
   * CAEP session-revoked for each ended session, to each live stream that asked for it and
   * whose receiver hears of the user: the rows the logout's transaction writes (logout-service.ts).
   */
  async sessionEndRows(
    tx: Executor,
    realm: Realm,
    ended: readonly EndedSession[],
    reason: EndReason,
    startedBy: LogoutStarter | undefined,
    logoutId: string,
    now: number,
  ): Promise<LogoutDeliveryTable[]> {
    if (!transmitterEnabled(realm) || ended.length === 0) return [];
    const streams = await this.#liveStreams(realm, SSF_EVENT.sessionRevoked, tx);
    if (streams.length === 0) return [];
    const userIds = [...new Set(ended.map((s) => s.user_id))];
    // Read in the transaction: on SQLite it holds the one connection.
    const users = new Map((await this.#d.realms.usersIn(userIds, tx)).map((u) => [u.id, u]));
    const added = await this.#d.streams.subjectsOf(
      streams.map((s) => s.stream.id),
      userIds,
      tx,
    );
    const event = sessionRevokedEvent(reason, startedBy ?? defaultStarter(reason), now);
    const issuer = this.#d.urls.issuer(realm.name);
    const rows: LogoutDeliveryTable[] = [];
    for (const { stream, client } of streams) {
      for (const s of ended) {
        const user = users.get(s.user_id);
        if (!user || !wantsUser(client, user, added.get(stream.id)?.get(user.id))) continue;
        const subject = sessionSubject(userSubject(userSubjectFormat(client), issuer, user), s.id);
        const target = this.#target(realm, client, now, { userId: user.id, ssoSessionId: s.id, logoutId });
        rows.push(eventRow(stream, target, subject, SSF_EVENT.sessionRevoked, event));
      }
    }
    return rows;
  }

  /**
   * An event about a user's account (RISC account-disabled / -enabled / -purged, CAEP
   * credential-change), to each live stream that asked for it and hears of the user.
   */
  async accountEvent(realm: Realm, user: User, type: string, event: Record<string, unknown>): Promise<void> {
    if (!transmitterEnabled(realm)) return;
    const streams = await this.#liveStreams(realm, type);
    if (streams.length === 0) return;
    const added = await this.#d.streams.subjectsOf(
      streams.map((s) => s.stream.id),
      [user.id],
    );
    const now = Date.now();
    const issuer = this.#d.urls.issuer(realm.name);
    const rows = streams
      .filter(({ stream, client }) => wantsUser(client, user, added.get(stream.id)?.get(user.id)))
      .map(({ stream, client }) =>
        eventRow(
          stream,
          this.#target(realm, client, now, { userId: user.id, ssoSessionId: '', logoutId: null }),
          userSubject(userSubjectFormat(client), issuer, user),
          type,
          event,
        ),
      );
    await this.#d.enqueue(rows);
  }

  /** An event about the stream itself (verification, stream-updated): always sent, held while paused. */
  async #streamEvent(realm: Realm, client: Client, stream: StreamRow, type: string, event: Record<string, unknown>) {
    const target = this.#target(realm, client, Date.now(), { userId: '', ssoSessionId: '', logoutId: null });
    await this.#d.enqueue([eventRow(stream, target, streamSubject(stream.id), type, event)]);
  }

  #target(
    realm: Realm,
    client: Client,
    now: number,
    t: Pick<EventTarget, 'userId' | 'ssoSessionId' | 'logoutId'>,
  ): EventTarget {
    return { realmId: realm.id, issuer: this.#d.urls.issuer(realm.name), aud: streamAudience(client), now, ...t };
  }

  /** The realm's live streams that asked for `type`, with their receiver clients. */
  async #liveStreams(realm: Realm, type: string, tx?: Executor): Promise<Array<{ stream: StreamRow; client: Client }>> {
    const rows = (await this.#d.streams.liveOfRealm(realm.id, tx)).filter((s) =>
      storedConfig(s).events_requested.includes(type),
    );
    if (rows.length === 0) return [];
    // In a session end's transaction, read through it: on SQLite it holds the one connection.
    const ids = rows.map((s) => s.client_id);
    const clients = tx
      ? await this.#d.realms.clientsIn(ids, tx)
      : await Promise.all(ids.map((id) => this.#d.realms.clientById(id)));
    const byId = new Map(clients.filter((c): c is Client => c !== undefined).map((c) => [c.id, c]));
    const out: Array<{ stream: StreamRow; client: Client }> = [];
    for (const stream of rows) {
      const client = byId.get(stream.client_id);
      if (client && isReceiver(client)) out.push({ stream, client });
    }
    return out;
  }

  // --- Stream management (SSF §8.1) ---------------------------------------------------------

  async #own(client: Client, streamId: unknown): Promise<StreamRow> {
    const stream = await this.#d.streams.ofClient(client.id);
    // Another receiver's stream, or none: 404, as Keycloak (isCurrentClientStream).
    if (!stream || (streamId !== undefined && streamId !== stream.id)) throw new NotFound('Stream not found');
    return stream;
  }

  #show(realm: Realm, client: Client, stream: StreamRow): object {
    const stored = storedConfig(stream);
    const t = transmitterFields(stream.id, this.#d.urls.issuer(realm.name), client, stored);
    return streamRepresentation(t, stored, this.endpoints(realm).poll);
  }

  /** §8.1.1.1: 201 with the stream; a second stream of the same client is a 409. */
  async create(realm: Realm, client: Client, body: unknown): Promise<object> {
    const poll = this.endpoints(realm).poll;
    const config = readConfig(body, { realm, client, pollUrl: poll, transmitter: null }, 'create');
    const now = Date.now();
    const row: StreamRow = {
      id: newId(),
      realm_id: realm.id,
      client_id: client.id,
      status: 'enabled',
      status_reason: null,
      config: JSON.stringify(config),
      created_at: now,
      updated_at: now,
    };
    if (!(await this.#d.streams.insert(row))) throw new Conflict('The client already has a stream');
    return this.#show(realm, client, row);
  }

  /** §8.1.1.2: one stream by id, or the list of the client's streams. */
  async read(realm: Realm, client: Client, streamId: string | null): Promise<object> {
    if (streamId !== null) return this.#show(realm, client, await this.#own(client, streamId));
    const stream = await this.#d.streams.ofClient(client.id);
    return stream ? [this.#show(realm, client, stream)] : [];
  }

  /** §8.1.1.3 (PATCH, `update`) and §8.1.1.4 (PUT, `replace`). */
  async change(realm: Realm, client: Client, body: unknown, mode: 'update' | 'replace'): Promise<object> {
    const streamId = (body as { stream_id?: unknown } | null)?.stream_id;
    if (typeof streamId !== 'string') throw new InvalidRequest('stream_id is required');
    const stream = await this.#own(client, streamId);
    const current = storedConfig(stream);
    const t = transmitterFields(stream.id, this.#d.urls.issuer(realm.name), client, current);
    const next = readConfig(
      body,
      { realm, client, pollUrl: this.endpoints(realm).poll, transmitter: t },
      mode,
      current,
    );
    const changed = { ...stream, config: JSON.stringify(next) };
    await this.#d.streams.updateConfig(stream.id, changed.config, Date.now());
    return this.#show(realm, client, changed);
  }

  /** §8.1.1.5: 204; its held events go with it. */
  async delete(client: Client, streamId: string | null): Promise<void> {
    const stream = await this.#own(client, streamId ?? undefined);
    await this.#d.streams.delete(stream.id);
    await this.#d.deliveries.dropUnsent(client.id, 'the receiver deleted its stream');
  }

  /** §8.1.2.1 */
  async status(client: Client, streamId: string | null): Promise<object> {
    const stream = await this.#own(client, streamId ?? undefined);
    return statusOf(stream);
  }

  /** §8.1.2.2: 200 with the new status, followed by a stream-updated SET (§8.1.5). */
  async setStatus(realm: Realm, client: Client, body: unknown): Promise<object> {
    const b = objectBody(body);
    const stream = await this.#own(client, requiredString(b, 'stream_id'));
    const status = b.status;
    if (typeof status !== 'string' || !STREAM_STATUSES.includes(status as StreamStatus))
      throw new InvalidRequest('status must be enabled, paused or disabled');
    const reason = b.reason === undefined ? null : typeof b.reason === 'string' ? b.reason.slice(0, 1024) : null;
    const next = { ...stream, status, status_reason: reason };
    await this.#d.streams.updateStatus(stream.id, status as StreamStatus, reason, Date.now());
    // Paused: held, not dropped (§8.1.2); enabled again: what was held goes out.
    if (status === 'paused') await this.#d.deliveries.holdPush(client.id);
    if (status === 'disabled') await this.#d.deliveries.dropUnsent(client.id, 'the receiver disabled its stream');
    if (status === 'enabled' && (await this.#d.deliveries.releasePush(client.id)) > 0) this.#d.wake();
    await this.#streamEvent(realm, client, next, SSF_EVENT.streamUpdated, {
      status,
      ...(reason ? { reason } : {}),
    });
    return statusOf(next);
  }

  /** §8.1.3.1 add (200) and §8.1.3.2 remove (204): the subject's user in or out of the stream. */
  async subject(realm: Realm, client: Client, body: unknown, include: boolean): Promise<void> {
    const b = objectBody(body);
    const stream = await this.#own(client, requiredString(b, 'stream_id'));
    const user = await this.#subjectUser(realm, b.subject);
    // An unknown subject is not revealed (§8.1.3.1 lets the transmitter answer as if it were known).
    if (user) await this.#d.streams.setSubject(stream.id, user.id, include);
  }

  async #subjectUser(realm: Realm, value: unknown): Promise<User | undefined> {
    if (typeof value !== 'object' || value === null) throw new InvalidRequest('subject is required');
    const s = value as Record<string, unknown>;
    if (s.format === 'iss_sub') {
      if (typeof s.iss !== 'string' || typeof s.sub !== 'string') throw new InvalidRequest('iss_sub needs iss and sub');
      if (s.iss !== this.#d.urls.issuer(realm.name)) return undefined;
      const user = await this.#d.realms.userById(s.sub);
      return user?.realmId === realm.id ? user : undefined;
    }
    if (s.format === 'email') {
      if (typeof s.email !== 'string') throw new InvalidRequest('email subject needs email');
      return this.#d.realms.userByEmail(realm.id, s.email);
    }
    if (s.format === 'complex' && s.user !== undefined) return this.#subjectUser(realm, s.user);
    throw new InvalidRequest('subject format must be iss_sub, email or complex with a user');
  }

  /** §8.1.4.2: 204, and a verification SET with the receiver's `state`. */
  async verify(realm: Realm, client: Client, body: unknown): Promise<void> {
    const b = objectBody(body);
    const stream = await this.#own(client, requiredString(b, 'stream_id'));
    if (b.state !== undefined && (typeof b.state !== 'string' || b.state.length > 1024))
      throw new InvalidRequest('state must be a string');
    await this.#streamEvent(realm, client, stream, SSF_EVENT.verification, b.state ? { state: b.state } : {});
  }

  // --- Poll (RFC 8936) ----------------------------------------------------------------------

  /** RFC 8936 §2.4: acknowledge and report errors, then answer up to maxEvents held SETs. */
  async poll(
    realm: Realm,
    client: Client,
    body: unknown,
  ): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> {
    const b = objectBody(body);
    const stream = await this.#own(client, undefined);
    if (storedConfig(stream).delivery.method !== DELIVERY_METHOD.poll)
      throw new InvalidRequest('The stream is not a poll stream');
    const ack = b.ack ?? [];
    if (!Array.isArray(ack) || !ack.every((j) => typeof j === 'string'))
      throw new InvalidRequest('ack must be an array of jti');
    await this.#d.deliveries.answerPoll(client.id, ack, { status: 'delivered', error: null });
    const errs = b.setErrs ?? {};
    if (typeof errs !== 'object' || errs === null || Array.isArray(errs))
      throw new InvalidRequest('setErrs must be an object');
    for (const [jti, e] of Object.entries(errs as Record<string, unknown>)) {
      const err = (e as { err?: unknown } | null)?.err;
      const description = (e as { description?: unknown } | null)?.description;
      if (typeof err !== 'string') throw new InvalidRequest('setErrs members need err');
      const cause = `${err.slice(0, 64)}${typeof description === 'string' ? `: ${description.slice(0, 200)}` : ''}`;
      await this.#d.deliveries.answerPoll(client.id, [jti], { status: 'rejected', error: cause });
    }
    const maxRaw = b.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (typeof maxRaw !== 'number' || !Number.isInteger(maxRaw) || maxRaw < 0)
      throw new InvalidRequest('maxEvents must be a non-negative integer');
    const max = Math.min(maxRaw, MAX_EVENTS);
    if (b.returnImmediately !== undefined && typeof b.returnImmediately !== 'boolean')
      throw new InvalidRequest('returnImmediately must be true or false');
    if (max === 0) return { sets: {}, moreAvailable: false };
    const waitUntil = b.returnImmediately === true ? 0 : Date.now() + (this.#d.longPollMs ?? LONG_POLL_MS);
    for (;;) {
      const current = await this.#d.streams.byId(stream.id);
      // A paused stream holds its events (SSF §8.1.2); a disabled one sends none.
      const open = current?.status === 'enabled';
      const { rows, more } = open ? await this.#d.deliveries.heldPoll(client.id, max) : { rows: [], more: false };
      if (rows.length > 0 || Date.now() >= waitUntil) {
        const sets: Record<string, string> = {};
        for (const d of rows) {
          const claims = (JSON.parse(d.payload ?? '{}') as SetPayload).claims;
          sets[d.id] = await signSecurityEventToken(this.#d.keys, realm.id, claims);
        }
        return { sets, moreAvailable: more };
      }
      await sleep(LONG_POLL_STEP_MS);
    }
  }
}

function statusOf(stream: StreamRow): object {
  return {
    stream_id: stream.id,
    status: stream.status,
    ...(stream.status_reason ? { reason: stream.status_reason } : {}),
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

function requiredString(b: Record<string, unknown>, name: string): string {
  const v = b[name];
  if (typeof v !== 'string' || v === '') throw new InvalidRequest(`${name} is required`);
  return v;
}

export type { SubjectId };
