// In-memory store: one process only (tests, single-instance apps). Entries expire lazily.
import type { LogoutMarker, LogoutStore, SessionKey } from './store.ts';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export class MemoryLogoutStore implements LogoutStore {
  readonly #values = new Map<string, Entry<number>>();
  readonly #sets = new Map<string, Entry<Set<string>>>();
  readonly #now: () => number;
  readonly #listeners = new Set<(marker: LogoutMarker) => void>();
  #writes = 0;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  #get<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const e = map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.#now()) {
      map.delete(key);
      return undefined;
    }
    return e.value;
  }

  #sweep(): void {
    if (++this.#writes % 1000 !== 0) return;
    const now = this.#now();
    for (const map of [this.#values, this.#sets] as Map<string, Entry<unknown>>[]) {
      for (const [k, e] of map) if (e.expiresAt <= now) map.delete(k);
    }
  }

  async rememberJti(iss: string, jti: string, ttlSeconds: number): Promise<boolean> {
    const key = `jti\u0000${iss}\u0000${jti}`;
    if (this.#get(this.#values, key) !== undefined) return false;
    this.#values.set(key, { value: 1, expiresAt: this.#now() + ttlSeconds * 1000 });
    this.#sweep();
    return true;
  }

  async forgetJti(iss: string, jti: string): Promise<void> {
    this.#values.delete(`jti\u0000${iss}\u0000${jti}`);
  }

  async markLoggedOut(marker: LogoutMarker, ttlSeconds: number): Promise<void> {
    const expiresAt = this.#now() + ttlSeconds * 1000;
    if (marker.sid !== undefined)
      this.#values.set(`sid\u0000${marker.iss}\u0000${marker.sid}`, { value: marker.at, expiresAt });
    else if (marker.sub !== undefined) {
      const key = `sub\u0000${marker.iss}\u0000${marker.sub}`;
      const previous = this.#get(this.#values, key) ?? 0;
      this.#values.set(key, { value: Math.max(previous, marker.at), expiresAt });
    }
    this.#sweep();
  }

  async markersFor(key: SessionKey): Promise<{ sid?: number; sub?: number }> {
    const sid = key.sid === undefined ? undefined : this.#get(this.#values, `sid\u0000${key.iss}\u0000${key.sid}`);
    const sub = key.sub === undefined ? undefined : this.#get(this.#values, `sub\u0000${key.iss}\u0000${key.sub}`);
    return { ...(sid !== undefined ? { sid } : {}), ...(sub !== undefined ? { sub } : {}) };
  }

  async indexSession(key: SessionKey, appSessionId: string, ttlSeconds: number): Promise<void> {
    const expiresAt = this.#now() + ttlSeconds * 1000;
    for (const k of indexKeys(key)) {
      const set = this.#get(this.#sets, k) ?? new Set<string>();
      set.add(appSessionId);
      this.#sets.set(k, { value: set, expiresAt });
    }
  }

  async takeIndexedSessions(key: SessionKey): Promise<string[]> {
    const k =
      key.sid !== undefined ? `idx-sid\u0000${key.iss}\u0000${key.sid}` : `idx-sub\u0000${key.iss}\u0000${key.sub}`;
    const ids = [...(this.#get(this.#sets, k) ?? [])];
    this.#sets.delete(k);
    return ids;
  }

  async publishLogout(marker: LogoutMarker): Promise<void> {
    // In-process: every relay of this process hears it, on a later tick, as with Redis.
    for (const listener of this.#listeners) queueMicrotask(() => listener({ ...marker }));
  }

  async subscribeLogouts(listener: (marker: LogoutMarker) => void): Promise<() => Promise<void>> {
    const own = (marker: LogoutMarker) => listener(marker);
    this.#listeners.add(own);
    return async () => void this.#listeners.delete(own);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#values.clear();
    this.#sets.clear();
  }
}

function indexKeys(key: SessionKey): string[] {
  return [
    ...(key.sid !== undefined ? [`idx-sid\u0000${key.iss}\u0000${key.sid}`] : []),
    ...(key.sub !== undefined ? [`idx-sub\u0000${key.iss}\u0000${key.sub}`] : []),
  ];
}
