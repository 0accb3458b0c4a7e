// The adapters' own session ids per client session. Keycloak's adapters (keycloak-connect, the
// Java adapters) send `client_session_state` — their HTTP session id — and `client_session_host`
// in the code-to-token request; Keycloak keeps them as notes of the client session and names
// them in the admin-URL logout (`LogoutAction.adapterSessionIds`), so the adapter knows which of
// its sessions to destroy. This module owns the adapter_session table.
import { InvalidRequest } from '../errors.ts';
import type { Executor } from '../store/executor.ts';

export interface AdapterSession {
  /** `client_session_state`: the adapter's session id. */
  id: string;
  /** `client_session_host`, or null when not sent (keycloak-connect sends it empty). */
  host: string | null;
}

/** Opaque to Sundown, but bounded and printable: it is echoed into a signed JSON payload. */
const VALUE = /^[\x21-\x7e]{1,512}$/;

/**
 * The adapter session of a code-to-token request, or null when the adapter sent none. An
 * unusable value is the client's error (RFC 6749 §5.2 invalid_request), not silently dropped.
 */
export function adapterSessionFromParams(get: (name: string) => string | undefined): AdapterSession | null {
  const state = get('client_session_state');
  const host = get('client_session_host');
  if (state === undefined || state === '') return null;
  if (!VALUE.test(state)) throw new InvalidRequest('Invalid parameter: client_session_state');
  if (host !== undefined && host !== '' && !VALUE.test(host))
    throw new InvalidRequest('Invalid parameter: client_session_host');
  return { id: state, host: host || null };
}

export class AdapterSessionStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Remembers an adapter session for a client session (idempotent), in the caller's transaction. */
  async record(clientSessionId: string, session: AdapterSession, now: number, db: Executor = this.#db): Promise<void> {
    await db
      .insertInto('adapter_session')
      .values({
        client_session_id: clientSessionId,
        adapter_session_id: session.id,
        adapter_host: session.host,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['client_session_id', 'adapter_session_id']).doUpdateSet({ adapter_host: session.host }),
      )
      .execute();
  }

  /** The adapter session ids of each of the given client sessions. */
  async of(clientSessionIds: readonly string[], db: Executor = this.#db): Promise<Map<string, string[]>> {
    const byClientSession = new Map<string, string[]>();
    for (let i = 0; i < clientSessionIds.length; i += 1000) {
      const rows = await db
        .selectFrom('adapter_session')
        .select(['client_session_id', 'adapter_session_id'])
        .where('client_session_id', 'in', clientSessionIds.slice(i, i + 1000))
        .orderBy('created_at')
        .execute();
      for (const r of rows)
        byClientSession.set(r.client_session_id, [
          ...(byClientSession.get(r.client_session_id) ?? []),
          r.adapter_session_id,
        ]);
    }
    return byClientSession;
  }
}
