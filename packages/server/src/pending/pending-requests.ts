// Browser requests waiting for the user: sign-in forms (`auth_request`) and logout
// confirmations (`logout_request`). Each is bound to the browser that opened it by a cookie
// the attacker can neither set nor read (login CSRF, standards §2): the row keeps only
// SHA-256(binding:id), and a form posted from another browser is "expired".
//
// Any unauthenticated GET of the authorization endpoint creates a sign-in form, so they are
// bounded twice: expired ones are deleted, and a realm keeps about its newest `max` (an evicted
// form answers "expired, sign in again", as Keycloak's login page does after its login
// timeout). Keycloak and node-oidc-provider also store a login state per request; the cap is
// what bounds it under a flood.
import { newId, safeEqual, sha256 } from '../crypto/random.ts';
import type { Executor } from '../store/executor.ts';

/** Default cap per realm: ~5 new abandoned forms a second for the 30-minute form lifetime. */
export const DEFAULT_MAX_PENDING_LOGINS = 10_000;
const DELETE_BATCH = 1000;

export interface PendingLogin {
  realmId: string;
  /** The client's clientId. */
  clientId: string;
  /** The validated request, stored as JSON. */
  request: unknown;
  /** The browser's binding cookie value. */
  binding: string;
  lifetimeMs: number;
}

function bindingHash(binding: string, id: string): string {
  return sha256(`${binding}:${id}`);
}

/** Whether a stored request is unexpired and was opened by the browser presenting `binding`. */
function boundAndLive(
  row: { csrf_hash: string; expires_at: number },
  id: string,
  binding: string | undefined,
  now: number,
): boolean {
  return (
    row.expires_at >= now &&
    binding !== undefined &&
    binding !== '' &&
    safeEqual(bindingHash(binding, id), row.csrf_hash)
  );
}

export class PendingRequests {
  readonly #db: Executor;
  readonly #max: number;
  /** Trimming scans `max` index entries, so it runs after every max/10 saves, not every save. */
  readonly #trimEvery: number;
  readonly #sinceTrim = new Map<string, number>();

  constructor(db: Executor, max = DEFAULT_MAX_PENDING_LOGINS) {
    this.#db = db;
    this.#max = max;
    this.#trimEvery = Math.max(1, Math.floor(max / 10));
  }

  /** Stores a sign-in form; a realm then holds at most max + max/10 per server process. */
  async saveLogin(login: PendingLogin, now = Date.now()): Promise<string> {
    const id = newId();
    await this.#db.deleteFrom('auth_request').where('expires_at', '<', now).execute();
    await this.#db
      .insertInto('auth_request')
      .values({
        id,
        realm_id: login.realmId,
        client_id: login.clientId,
        params: JSON.stringify(login.request),
        csrf_hash: bindingHash(login.binding, id),
        created_at: now,
        expires_at: now + login.lifetimeMs,
      })
      .execute();
    const n = (this.#sinceTrim.get(login.realmId) ?? 0) + 1;
    if (n < this.#trimEvery) {
      this.#sinceTrim.set(login.realmId, n);
      return id;
    }
    this.#sinceTrim.set(login.realmId, 0);
    await this.trim(login.realmId);
    return id;
  }

  /** The request of a sign-in form posted by the browser that opened it, while it is unexpired. */
  async findLogin<T>(
    realmId: string,
    id: string,
    binding: string | undefined,
    now = Date.now(),
  ): Promise<T | undefined> {
    const row = await this.#liveLogin(realmId, id, binding, now);
    return row ? (JSON.parse(row.params) as T) : undefined;
  }

  /**
   * The request and the user who already gave the right password for it (required actions
   * pending), for the browser that opened it, while it is unexpired.
   */
  async findAuthenticatedLogin<T>(
    realmId: string,
    id: string,
    binding: string | undefined,
    now = Date.now(),
  ): Promise<{ request: T; userId: string } | undefined> {
    const row = await this.#liveLogin(realmId, id, binding, now);
    return row?.user_id ? { request: JSON.parse(row.params) as T, userId: row.user_id } : undefined;
  }

  /** Marks a pending sign-in as authenticated by `userId`, its required actions still to do. */
  async setLoginUser(id: string, userId: string): Promise<void> {
    await this.#db
      .updateTable('auth_request')
      .set({ user_id: userId, otp_user_id: null })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Marks a pending sign-in as past the password of `userId`, who still owes a one-time code
   * (login/otp/): not yet authenticated, so its required actions cannot be reached.
   */
  async setOtpUser(id: string, userId: string): Promise<void> {
    await this.#db
      .updateTable('auth_request')
      .set({ otp_user_id: userId, user_id: null })
      .where('id', '=', id)
      .execute();
  }

  /** The request and the user who gave the right password and owes a code, for the browser that opened it. */
  async findOtpLogin<T>(
    realmId: string,
    id: string,
    binding: string | undefined,
    now = Date.now(),
  ): Promise<{ request: T; userId: string } | undefined> {
    const row = await this.#liveLogin(realmId, id, binding, now);
    return row?.otp_user_id ? { request: JSON.parse(row.params) as T, userId: row.otp_user_id } : undefined;
  }

  /** The pending sign-in's row, for the browser that opened it, while it is unexpired. */
  async #liveLogin(realmId: string, id: string, binding: string | undefined, now: number) {
    const row = await this.#db
      .selectFrom('auth_request')
      .selectAll()
      .where('id', '=', id)
      .where('realm_id', '=', realmId)
      .executeTakeFirst();
    return row && boundAndLive(row, id, binding, now) ? row : undefined;
  }

  /** A sign-in form is used once. */
  async deleteLogin(id: string): Promise<void> {
    await this.#db.deleteFrom('auth_request').where('id', '=', id).execute();
  }

  /** Deletes a realm's forms beyond its newest `max`. */
  async trim(realmId: string): Promise<void> {
    for (;;) {
      const deleted = await this.#db
        .deleteFrom('auth_request')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('auth_request')
            .select('id')
            .where('realm_id', '=', realmId)
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .limit(DELETE_BATCH)
            .offset(this.#max),
        )
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) < DELETE_BATCH) return;
    }
  }

  /** Stores a logout waiting for the user's confirmation. */
  async saveLogout(
    realmId: string,
    request: unknown,
    binding: string,
    lifetimeMs: number,
    now = Date.now(),
  ): Promise<string> {
    const id = newId();
    await this.#db.deleteFrom('logout_request').where('expires_at', '<', now).execute();
    await this.#db
      .insertInto('logout_request')
      .values({
        id,
        realm_id: realmId,
        params: JSON.stringify(request),
        csrf_hash: bindingHash(binding, id),
        expires_at: now + lifetimeMs,
      })
      .execute();
    return id;
  }

  /** Takes (reads and deletes) a logout confirmed by the browser that was asked, while unexpired. */
  async takeLogout<T>(
    realmId: string,
    id: string,
    binding: string | undefined,
    now = Date.now(),
  ): Promise<T | undefined> {
    const row = await this.#db
      .selectFrom('logout_request')
      .selectAll()
      .where('id', '=', id)
      .where('realm_id', '=', realmId)
      .executeTakeFirst();
    if (!row || !boundAndLive(row, id, binding, now)) return undefined;
    await this.#db.deleteFrom('logout_request').where('id', '=', id).execute();
    return JSON.parse(row.params) as T;
  }

  /** Housekeeping: both kinds past their lifetime. */
  async deleteExpired(now: number): Promise<void> {
    await this.#db.deleteFrom('auth_request').where('expires_at', '<', now).execute();
    await this.#db.deleteFrom('logout_request').where('expires_at', '<', now).execute();
  }
}
