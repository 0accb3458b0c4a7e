// The outbox rows of OIDC front-channel logout (kind `frontchannel`). The iframe is sent by the
// user's browser and answered by no one (FCL §3 asks for no answer): the row is recorded, never
// claimed, as `unconfirmed` — so the logout's record names every channel a client was told on.
// Without a browser, a client that has only a front-channel URL could not be told at all: its row
// is `skipped` with that reason, as Keycloak's silent omission is shown nowhere.
import type { LogoutDeliveryTable } from '../../../store/schema.ts';
import type { ClientLogoutSettings } from '../../client-logout-settings.ts';
import { outboxRow, type OutboxTarget, skippedRow } from '../../delivery/outbox-row.ts';

export const NO_BROWSER_FOR_FRONTCHANNEL =
  'skipped: the client has only a front-channel logout URL, and no browser took part in this logout to load it';

/**
 * The row of one client session's front-channel logout: `unconfirmed` when a browser loads the
 * iframe; `skipped` when there is no browser and it is the client's only channel; else none.
 */
export function frontchannelDelivery(
  t: OutboxTarget,
  browser: boolean,
  onlyChannel: boolean,
): LogoutDeliveryTable | null {
  const row = outboxRow(t, 'frontchannel', null);
  if (browser) return { ...row, status: 'unconfirmed', finished_at: t.now };
  return onlyChannel ? skippedRow(row, NO_BROWSER_FOR_FRONTCHANNEL) : null;
}

/** A front-channel iframe of the signed-out page (FCL §3). */
export interface FrontchannelTarget {
  clientId: string;
  url: string;
}

/**
 * The iframe of one client session, when a browser will show the signed-out page: the client's
 * front-channel URL with `iss` and `sid` (FCL §2: both, or neither when the client does not
 * require the session).
 */
export function frontchannelIframe(
  clientId: string,
  settings: ClientLogoutSettings,
  issuer: string | undefined,
  sid: string,
): FrontchannelTarget | null {
  if (!settings.frontchannelUrl || !issuer) return null;
  const url = new URL(settings.frontchannelUrl);
  if (settings.frontchannelSessionRequired) {
    url.searchParams.set('iss', issuer);
    url.searchParams.set('sid', sid);
  }
  return { clientId, url: url.toString() };
}
