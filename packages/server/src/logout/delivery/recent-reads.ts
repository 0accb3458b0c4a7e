// Reads of the last second, shared: a mass logout sends thousands of deliveries for the same few
// realms and clients, and each attempt would read both rows again. Short enough that a changed
// logout URL or CA file is used within a second.
const FRESH_MS = 1000;

/** Entries kept at most; past that the whole cache starts over. */
const MAX_ENTRIES = 10_000;

export class RecentReads {
  readonly #entries = new Map<string, { at: number; value: Promise<unknown> }>();

  /** The value read for `key` within the last second, else `load()`'s. */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < FRESH_MS) return hit.value as Promise<T>;
    const value = load();
    const entry = { at: now, value };
    this.#entries.set(key, entry);
    // A failed read is not remembered: the next attempt reads again.
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    if (this.#entries.size > MAX_ENTRIES) this.#entries.clear();
    return value;
  }
}
