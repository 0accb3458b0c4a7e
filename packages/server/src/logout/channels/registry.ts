// The delivery channels, one folder each under channels/: a channel's planner decides at a
// session's end which rows it writes, its message and sender build a freshly signed request per
// attempt, its answer judge reads the receiver's answer, and its probe is what the doctor sends.
// The worker is given this registry (provider.ts), so an outbox row of a kind it does not list
// is failed as "unknown delivery kind", never sent by another kind's sender.
//   backchannel/         OIDC Back-Channel Logout: logout token, receipt
//   frontchannel/        OIDC Front-Channel Logout: an iframe in the browser (no sender)
//   admin-url/           Keycloak's admin URL: k_logout, k_push_not_before
//   saml-soap/           SAML LogoutRequest by SOAP, its LogoutResponse judged
//   saml-frontchannel/   SAML LogoutRequest in the browser's iframe, its LogoutResponse checked
//   ssf/                 Shared Signals: SETs pushed (RFC 8935, `ssf_push`) or polled (RFC 8936,
//                        `ssf_poll`: held for the receiver's poll, never claimed)
//   upstream/            a brokered session's upstream identity provider: Keycloak's GET of its logout URL
import type { DeliveryKind } from '../../store/schema.ts';
import { backchannelSender } from './backchannel/sender.ts';
import { kLogoutSender, kPushNotBeforeSender } from './admin-url/senders.ts';
import { samlSoapSender } from './saml-soap/sender.ts';
import { ssfPushSender } from './ssf/sender.ts';
import { upstreamLogoutSender } from './upstream/sender.ts';
import type { DeliverySender } from './channel.ts';

/** What the worker and the doctor look channels up in. */
export interface ChannelRegistry {
  /**
   * The sender of an outbox row's kind; undefined for a kind this version does not know (a row
   * written by a newer version, or by hand): the column is plain text, so the type does not hold.
   */
  senderFor(kind: string): DeliverySender | undefined;
  /**
   * The sender the doctor checks for a client: back-channel URL first, else the admin URL
   * (Keycloak's order); for a SAML client only its SOAP SLO URL (its adminUrl is the fallback of
   * its SAML endpoints, never a k_logout receiver).
   */
  doctorSenderFor(
    target: (s: DeliverySender) => string | null,
    protocol?: 'openid-connect' | 'saml',
  ): DeliverySender | null;
}

/**
 * Every kind the worker sends; `frontchannel` rows are sent by the user's browser and `ssf_poll`
 * rows fetched by the receiver, never claimed.
 */
const SENDERS: Record<Exclude<DeliveryKind, 'frontchannel' | 'ssf_poll'>, DeliverySender> = {
  backchannel: backchannelSender,
  k_logout: kLogoutSender,
  k_push_not_before: kPushNotBeforeSender,
  saml_soap: samlSoapSender,
  ssf_push: ssfPushSender,
  upstream_logout: upstreamLogoutSender,
};

export const CHANNELS: ChannelRegistry = {
  senderFor: (kind) => (Object.hasOwn(SENDERS, kind) ? SENDERS[kind as keyof typeof SENDERS] : undefined),
  doctorSenderFor(target, protocol = 'openid-connect') {
    if (protocol === 'saml') return target(samlSoapSender) ? samlSoapSender : null;
    if (target(backchannelSender)) return backchannelSender;
    if (target(kLogoutSender)) return kLogoutSender;
    return null;
  },
};
