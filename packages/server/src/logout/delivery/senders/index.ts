// The sender of each delivery kind (see sender.ts for how to add one).
import type { DeliveryKind } from '../../../store/schema.ts';
import { backchannelSender } from './backchannel-sender.ts';
import { kLogoutSender, kPushNotBeforeSender } from './keycloak-admin-senders.ts';
import { samlSoapSender } from './saml-soap-sender.ts';
import type { DeliverySender } from './sender.ts';

/** Every kind the worker sends; `frontchannel` rows are sent by the user's browser, never claimed. */
const SENDERS: Record<Exclude<DeliveryKind, 'frontchannel'>, DeliverySender> = {
  backchannel: backchannelSender,
  k_logout: kLogoutSender,
  k_push_not_before: kPushNotBeforeSender,
  saml_soap: samlSoapSender,
};

/**
 * The sender of an outbox row's kind; undefined for a kind this version does not know (a row
 * written by a newer version, or by hand): the column is plain text, so the type does not hold.
 */
export function senderFor(kind: string): DeliverySender | undefined {
  return Object.hasOwn(SENDERS, kind) ? SENDERS[kind as keyof typeof SENDERS] : undefined;
}

/**
 * The sender the doctor checks for a client: back-channel URL first, else the admin URL (Keycloak's
 * order); for a SAML client only its SOAP SLO URL (its adminUrl is the fallback of its SAML
 * endpoints, never a k_logout receiver).
 */
export function doctorSenderFor(
  target: (s: DeliverySender) => string | null,
  protocol: 'openid-connect' | 'saml' = 'openid-connect',
): DeliverySender | null {
  if (protocol === 'saml') return target(samlSoapSender) ? samlSoapSender : null;
  if (target(backchannelSender)) return backchannelSender;
  if (target(kLogoutSender)) return kLogoutSender;
  return null;
}
