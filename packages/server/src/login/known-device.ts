// "Known device" cookies (OWASP Authentication Cheat Sheet, "account lockout" — let a device
// that signed in before keep its own allowance): after a successful sign-in on the login form
// the browser gets a cookie that names the username it signed in as, signed with HMAC-SHA256
// under a per-realm key kept in the store (`login_device_key`, created on first use, owned by
// this module). A guesser without that browser's cookie cannot forge one, so the failures it
// causes for the username cannot use up that browser's allowance (see throttle.ts).
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { randomToken, safeEqual } from '../crypto/random.ts';
import type { Database } from '../store/schema.ts';

export const DEVICE_COOKIE = 'SUNDOWN_DEVICE';

interface LoginDeviceKeyTable {
  realm_id: string;
  secret: string;
  created_at: number;
}

type DeviceDatabase = Database & { login_device_key: LoginDeviceKeyTable };

/** How long a device stays known after its last successful sign-in. */
export const KNOWN_DEVICE_MAX_AGE_MS = 30 * 86_400_000;

export class KnownDevices {
  readonly #db: Kysely<DeviceDatabase>;
  readonly #keys = new Map<string, Promise<Buffer>>();

  constructor(db: Kysely<Database>) {
    this.#db = db.withTables<{ login_device_key: LoginDeviceKeyTable }>();
  }

  /** The realm's key; the first process to need it creates it, a racing one reads the winner's. */
  #key(realmId: string): Promise<Buffer> {
    let key = this.#keys.get(realmId);
    if (!key) {
      key = (async () => {
        await this.#db
          .insertInto('login_device_key')
          .values({ realm_id: realmId, secret: randomToken(32), created_at: Date.now() })
          .onConflict((oc) => oc.column('realm_id').doNothing())
          .execute();
        const row = await this.#db
          .selectFrom('login_device_key')
          .select('secret')
          .where('realm_id', '=', realmId)
          .executeTakeFirstOrThrow();
        return Buffer.from(row.secret, 'base64url');
      })();
      key.catch(() => this.#keys.delete(realmId));
      this.#keys.set(realmId, key);
    }
    return key;
  }

  async #mac(realmId: string, username: string, issued: string): Promise<string> {
    return createHmac('sha256', await this.#key(realmId))
      .update(`${realmId}\n${username.toLowerCase()}\n${issued}`)
      .digest('base64url');
  }

  /** A cookie value for a browser that just signed in as `username`. */
  async issue(realmId: string, username: string, now = Date.now()): Promise<string> {
    const issued = Math.floor(now / 1000).toString(36);
    return `${issued}-${await this.#mac(realmId, username, issued)}`;
  }

  /**
   * The device's identity (part of its MAC) when `cookie` was issued to a browser that signed
   * in as `username` in this realm within the maximum age; else null.
   */
  async recognise(
    realmId: string,
    username: string,
    cookie: string | undefined,
    now = Date.now(),
  ): Promise<string | null> {
    if (!cookie) return null;
    const dash = cookie.indexOf('-');
    const issued = cookie.slice(0, dash);
    if (dash < 1 || !/^[0-9a-z]{1,10}$/.test(issued)) return null;
    const age = now - Number.parseInt(issued, 36) * 1000;
    if (!(age >= -60_000 && age <= KNOWN_DEVICE_MAX_AGE_MS)) return null;
    const mac = cookie.slice(dash + 1);
    if (!safeEqual(mac, await this.#mac(realmId, username, issued))) return null;
    return mac.slice(0, 16);
  }
}
