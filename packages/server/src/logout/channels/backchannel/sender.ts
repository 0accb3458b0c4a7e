// Kind `backchannel`: the OIDC back-channel logout token (BCL §2.5), form-encoded `logout_token`.
import { logoutSettings } from '../../client-logout-settings.ts';
import { signLogoutToken } from './logout-token.ts';
import type { DeliverySender, OutgoingRequest, SenderInput } from '../channel.ts';

async function request(
  input: SenderInput,
  subject: string,
  sid: string,
  revokeOfflineAccess: boolean,
): Promise<OutgoingRequest | null> {
  const settings = logoutSettings(input.client);
  if (!settings.backchannelUrl) return null;
  const token = await signLogoutToken(input.keys, {
    realmId: input.realm.id,
    issuer: input.urls.issuer(input.realm.name),
    client: input.client,
    subject,
    sid: settings.sessionRequired ? sid : null,
    revokeOfflineAccess,
  });
  return {
    url: settings.backchannelUrl,
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ logout_token: token }).toString(),
  };
}

export const backchannelSender: DeliverySender = {
  kind: 'backchannel',
  targetName: 'back-channel URL',
  target: (input) => logoutSettings(input.client).backchannelUrl,
  build: (input, d) => request(input, d.user_id, d.sso_session_id, d.revoke_offline === 1),
  probe: (input, marker) => request(input, `sundown-doctor-${marker}`, `sundown-doctor-${marker}`, false),
};
