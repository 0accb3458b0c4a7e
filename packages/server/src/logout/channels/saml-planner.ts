// How an ending SSO session tells one SAML participant (saml.md §4, issue 16). Keycloak splits by
// `frontchannelLogout`: front-channel SPs get the browser's redirect chain, the others a one-try
// back-channel message; with no browser, front-channel SPs are silently skipped. Sundown:
//   - a front-channel SP and a browser present → the signed LogoutRequest in the signed-out page;
//   - otherwise an SP with a SOAP SLO URL → a `saml_soap` delivery through the durable outbox;
//   - otherwise → a `skipped` `saml_soap` row naming why it could not be told, so the admin API and
//     console show it (nothing is silently dropped).
import type { Client } from '../../realm/model.ts';
import { samlSettingsOf } from '../../saml/saml-client.ts';
import { frontchannelBinding } from './saml-frontchannel/message.ts';
import type { LogoutDeliveryTable } from '../../store/schema.ts';
import { outboxRow, skippedRow } from '../delivery/outbox-row.ts';
import { LOGOUT_REASON, type SamlSoapPayload } from './saml-soap/sender.ts';

/** A front-channel SAML participant the signed-out page sends a LogoutRequest to. */
export interface SamlFrontchannelTarget {
  /** Internal client id. */
  clientId: string;
  ssoSessionId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string | null;
}

export interface SamlParticipantRow {
  cs_sso_session_id: string;
  cs_user_id: string;
  cs_saml_name_id: string | null;
  cs_saml_name_id_format: string | null;
  cs_saml_session_index: string | null;
}

export const NO_SAML_CHANNEL =
  'skipped: front-channel SAML client and no browser at this logout, and it has no SOAP SLO URL (saml_single_logout_service_url_soap) to be told by back-channel';
export const NO_SAML_SLO_URL =
  'skipped: the SAML client has no single logout URL (Redirect, POST or SOAP) to be told at';

export type SamlPlan = { frontchannel: SamlFrontchannelTarget } | { delivery: LogoutDeliveryTable } | null;

/**
 * `browser`: the logout runs in the user's browser, which will show the signed-out page.
 * `adminReason`: the session ended by an administrator, expiry or a limit (Core §3.7.3.1 Reason).
 */
export function planSamlLogout(
  client: Client,
  row: SamlParticipantRow,
  realmId: string,
  logoutId: string,
  now: number,
  browser: boolean,
  adminReason: boolean,
): SamlPlan {
  // A SAML client that never received a SessionIndex (no assertion issued) has nothing to end.
  if (!row.cs_saml_name_id) return null;
  const settings = samlSettingsOf(client);
  const nameIdFormat = row.cs_saml_name_id_format ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
  if (settings.frontchannelLogout && browser && frontchannelBinding(settings)) {
    return {
      frontchannel: {
        clientId: client.id,
        ssoSessionId: row.cs_sso_session_id,
        nameId: row.cs_saml_name_id,
        nameIdFormat,
        sessionIndex: row.cs_saml_session_index,
      },
    };
  }
  const payload: SamlSoapPayload = {
    nameId: row.cs_saml_name_id,
    nameIdFormat,
    sessionIndex: row.cs_saml_session_index,
    reason: adminReason ? LOGOUT_REASON.admin : LOGOUT_REASON.user,
  };
  const soap = settings.sloUrl.soap !== null;
  const reason = soap
    ? null
    : settings.frontchannelLogout && frontchannelBinding(settings)
      ? NO_SAML_CHANNEL
      : NO_SAML_SLO_URL;
  const target = {
    realmId,
    clientId: client.id,
    ssoSessionId: row.cs_sso_session_id,
    userId: row.cs_user_id,
    logoutId,
    now,
  };
  const delivery = outboxRow(target, 'saml_soap', payload);
  return { delivery: reason === null ? delivery : skippedRow(delivery, reason) };
}
