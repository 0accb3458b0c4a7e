// This process's delivery slots: how many deliveries are in flight, in all and per client (so one
// dead receiver cannot take every slot), and who waits for an attempt to be over — the browser's
// bounded logout wait (standards §4) and the worker's stop.
import type { LogoutDeliveryTable } from '../../store/schema.ts';

type Row = Pick<LogoutDeliveryTable, 'id' | 'client_id'>;

export class DeliverySlots {
  readonly #concurrency: number;
  readonly #perClient: number;
  readonly #inFlight = new Map<string, number>();
  readonly #waiters = new Map<string, Array<() => void>>();
  readonly #idle = new Set<() => void>();
  #total = 0;

  constructor(concurrency: number, perClient: number) {
    this.#concurrency = concurrency;
    this.#perClient = perClient;
  }

  /** Deliveries in flight in this process. */
  get total(): number {
    return this.#total;
  }

  /** Slots free in this process. */
  get free(): number {
    return this.#concurrency - this.#total;
  }

  get perClient(): number {
    return this.#perClient;
  }

  /** The clients at their limit (a claim skips them), and each busy client's free slots. */
  byClient(): { saturated: string[]; free: Map<string, number> } {
    const saturated = [...this.#inFlight].filter(([, n]) => n >= this.#perClient).map(([id]) => id);
    return { saturated, free: new Map([...this.#inFlight].map(([id, n]) => [id, this.#perClient - n])) };
  }

  atLimit(clientId: string): boolean {
    return (this.#inFlight.get(clientId) ?? 0) >= this.#perClient;
  }

  /** Counts one delivery in flight: the next claim gives its client fewer rows. */
  take(d: Row): void {
    this.#inFlight.set(d.client_id, (this.#inFlight.get(d.client_id) ?? 0) + 1);
    this.#total++;
  }

  /** The slot of a delivery whose attempt is over (recorded, or failed unexpectedly). */
  release(d: Row): void {
    const n = (this.#inFlight.get(d.client_id) ?? 1) - 1;
    if (n <= 0) this.#inFlight.delete(d.client_id);
    else this.#inFlight.set(d.client_id, n);
    this.#total--;
    for (const resolve of this.#waiters.get(d.id) ?? []) resolve();
    this.#waiters.delete(d.id);
    if (this.#total === 0) {
      for (const resolve of this.#idle) resolve();
      this.#idle.clear();
    }
  }

  /** Resolves once the attempt of delivery `id` in this process is over. */
  attempted(id: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.set(id, [...(this.#waiters.get(id) ?? []), resolve]));
  }

  /** Drops the waits for `ids` (their waiters have stopped waiting). */
  forget(ids: readonly string[]): void {
    for (const id of ids) this.#waiters.delete(id);
  }

  /** Resolves once nothing is in flight. */
  async idle(): Promise<void> {
    if (this.#total > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
  }
}
