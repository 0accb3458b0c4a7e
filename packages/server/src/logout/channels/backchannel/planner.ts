// Which back-channel delivery an ending session writes for one of its OIDC clients (BCL §2.5):
// one per client session, when the client has a back-channel logout URL.
import type { ClientLogoutSettings } from '../../client-logout-settings.ts';
import type { LogoutDeliveryTable } from '../../../store/schema.ts';
import { outboxRow, type OutboxTarget } from '../../delivery/outbox-row.ts';

export function backchannelDelivery(t: OutboxTarget, settings: ClientLogoutSettings): LogoutDeliveryTable | null {
  return settings.backchannelUrl ? outboxRow(t, 'backchannel', null, settings.revokeOfflineTokens) : null;
}
