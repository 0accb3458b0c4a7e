// Redis store: markers and seen jtis shared by every instance of the app. Works with
// node-redis (`createClient()` has `sendCommand`) or any client wrapped to that one method.
import { type LogoutMarker, type LogoutStore, parseMarker, type SessionKey } from './store.ts';

/** The one method used: a raw command, e.g. `['SET', key, value, 'PX', '1000', 'NX']`. */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A connection in subscriber mode (node-redis: `client.duplicate()` after `connect()`). Redis
 * gives a subscribing connection to pub/sub alone, so it cannot be the command client.
 */
export interface RedisSubscriberClient {
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(channel: string, listener?: (message: string, channel: string) => void): Promise<unknown>;
}

interface Duplicable {
  duplicate(): RedisSubscriberClient & {
    connect(): Promise<unknown>;
    quit?(): Promise<unknown>;
    close?(): Promise<unknown>;
  };
}

export interface RedisLogoutStoreOptions {
  /** Key prefix (default `sundown:rp:`); also names the pub/sub channel (`<prefix>logout`). */
  prefix?: string;
  /**
   * The connection the tab relay listens on. Default: a `duplicate()` of the command client
   * (node-redis), connected on the first subscription and closed with the last.
   */
  subscriber?: RedisSubscriberClient;
  /** Close the client on `close()` (default false: the app owns it). */
  closeClient?: () => Promise<unknown>;
}

export class RedisLogoutStore implements LogoutStore {
  readonly #redis: RedisCommandClient;
  readonly #prefix: string;
  readonly #closeClient: (() => Promise<unknown>) | undefined;
  readonly #subscriber: RedisSubscriberClient | undefined;
  #owned:
    | {
        client: Promise<RedisSubscriberClient & { quit?(): Promise<unknown>; close?(): Promise<unknown> }>;
        users: number;
      }
    | undefined;

  constructor(client: RedisCommandClient, options: RedisLogoutStoreOptions = {}) {
    this.#redis = client;
    this.#prefix = options.prefix ?? 'sundown:rp:';
    this.#closeClient = options.closeClient;
    this.#subscriber = options.subscriber;
  }

  get #channel(): string {
    return `${this.#prefix}logout`;
  }

  async publishLogout(marker: LogoutMarker): Promise<void> {
    await this.#redis.sendCommand(['PUBLISH', this.#channel, JSON.stringify(marker)]);
  }

  async subscribeLogouts(listener: (marker: LogoutMarker) => void): Promise<() => Promise<void>> {
    const onMessage = (message: string) => {
      const marker = parseMarker(message);
      if (marker) listener(marker);
    };
    const subscriber = this.#subscriber ?? (await this.#ownSubscriber());
    await subscriber.subscribe(this.#channel, onMessage);
    return async () => {
      await subscriber.unsubscribe(this.#channel, onMessage);
      if (!this.#subscriber) await this.#releaseOwnSubscriber();
    };
  }

  async #ownSubscriber(): Promise<RedisSubscriberClient> {
    const source = this.#redis as Partial<Duplicable>;
    if (typeof source.duplicate !== 'function')
      throw new TypeError('RedisLogoutStore needs a `subscriber` option (its client has no duplicate())');
    if (!this.#owned) {
      const client = source.duplicate();
      this.#owned = { client: client.connect().then(() => client), users: 0 };
    }
    this.#owned.users++;
    return this.#owned.client;
  }

  async #releaseOwnSubscriber(): Promise<void> {
    const owned = this.#owned;
    if (!owned || --owned.users > 0) return;
    this.#owned = undefined;
    const client = await owned.client;
    await (client.close ?? client.quit)?.call(client);
  }

  #key(kind: string, iss: string, value: string): string {
    return `${this.#prefix}${kind}:${iss}\u0000${value}`;
  }

  async rememberJti(iss: string, jti: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.#redis.sendCommand([
      'SET',
      this.#key('jti', iss, jti),
      '1',
      'PX',
      String(Math.ceil(ttlSeconds * 1000)),
      'NX',
    ]);
    return reply === 'OK';
  }

  async forgetJti(iss: string, jti: string): Promise<void> {
    await this.#redis.sendCommand(['DEL', this.#key('jti', iss, jti)]);
  }

  async markLoggedOut(marker: LogoutMarker, ttlSeconds: number): Promise<void> {
    const px = String(Math.ceil(ttlSeconds * 1000));
    if (marker.sid !== undefined) {
      await this.#redis.sendCommand(['SET', this.#key('sid', marker.iss, marker.sid), String(marker.at), 'PX', px]);
    } else if (marker.sub !== undefined) {
      // Keep the latest logout time if two arrive out of order.
      const key = this.#key('sub', marker.iss, marker.sub);
      await this.#redis.sendCommand([
        'EVAL',
        "local v = redis.call('GET', KEYS[1]); if (not v) or tonumber(v) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end; return 1",
        '1',
        key,
        String(marker.at),
        px,
      ]);
    }
  }

  async markersFor(key: SessionKey): Promise<{ sid?: number; sub?: number }> {
    const keys = [
      key.sid !== undefined ? this.#key('sid', key.iss, key.sid) : `${this.#prefix}none`,
      key.sub !== undefined ? this.#key('sub', key.iss, key.sub) : `${this.#prefix}none`,
    ];
    const [sid, sub] = (await this.#redis.sendCommand(['MGET', ...keys])) as Array<string | null>;
    return {
      ...(key.sid !== undefined && sid ? { sid: Number(sid) } : {}),
      ...(key.sub !== undefined && sub ? { sub: Number(sub) } : {}),
    };
  }

  async indexSession(key: SessionKey, appSessionId: string, ttlSeconds: number): Promise<void> {
    const px = String(Math.ceil(ttlSeconds * 1000));
    for (const k of [
      key.sid !== undefined ? this.#key('idx-sid', key.iss, key.sid) : null,
      key.sub !== undefined ? this.#key('idx-sub', key.iss, key.sub) : null,
    ]) {
      if (!k) continue;
      await this.#redis.sendCommand(['SADD', k, appSessionId]);
      await this.#redis.sendCommand(['PEXPIRE', k, px]);
    }
  }

  async takeIndexedSessions(key: SessionKey): Promise<string[]> {
    const k =
      key.sid !== undefined ? this.#key('idx-sid', key.iss, key.sid) : this.#key('idx-sub', key.iss, key.sub ?? '');
    const members = (await this.#redis.sendCommand(['SMEMBERS', k])) as string[];
    if (members.length > 0) await this.#redis.sendCommand(['DEL', k]);
    return members;
  }

  async close(): Promise<void> {
    if (this.#owned) {
      this.#owned.users = 1;
      await this.#releaseOwnSubscriber();
    }
    await this.#closeClient?.();
  }
}
