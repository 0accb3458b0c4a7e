// The per-app status of a logout lists the applications the user was signed into. Deliveries to
// Shared Signals receivers (issue 25) and to a brokered session's upstream (issue 26) are not
// such applications: counted, they made "Signed out of 1 of 1 application" name only a service
// receiver the user never signed into. The admin API's deliveries and the trace still list them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appStates, type ClientName } from '../../../src/logout/status/app-states.ts';
import type { DeliveryKind, LogoutDeliveryTable } from '../../../src/store/schema.ts';

function delivery(id: string, clientId: string, kind: DeliveryKind): LogoutDeliveryTable {
  return {
    id,
    realm_id: 'r',
    client_id: clientId,
    sso_session_id: 's1',
    user_id: 'u1',
    revoke_offline: 0,
    kind,
    payload: null,
    status: 'delivered',
    attempts: 1,
    created_at: 1,
    next_attempt_at: 1,
    locked_until: 0,
    last_attempt_at: 2,
    last_status: 200,
    last_error: null,
    finished_at: 2,
    logout_id: 'L',
    receipt: null,
  };
}

const CLIENTS = new Map<string, ClientName>([
  ['c-web', { id: 'c-web', clientId: 'web', name: 'Web shop' }],
  ['c-signals', { id: 'c-signals', clientId: 'orders-signals', name: null }],
]);

test('logout-status-apps-only: Shared Signals receivers and the upstream provider are not applications of the signed-out page', () => {
  const status = appStates(
    'L',
    [
      delivery('d1', 'c-web', 'backchannel'),
      delivery('d2', 'c-signals', 'ssf_push'),
      delivery('d3', 'c-signals', 'ssf_poll'),
      delivery('d4', 'idp-1', 'upstream_logout'),
    ],
    [],
    CLIENTS,
    3,
  );
  assert.deepEqual(
    status.apps.map((a) => a.clientId),
    ['web'],
  );
  assert.match(status.outcome, /1 of 1 application/);
});
