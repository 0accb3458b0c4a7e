// A refused SAML message whose sender cannot be answered in SAML: nothing could be decoded, or
// the Issuer is unknown, or the reply URL is not one the client registered (an attacker's ACS
// must never receive a Response, even an error; saml.md §8.7). The browser gets a page with a
// 400, and the event
// log an error event with Keycloak's error name (org.keycloak.events.Errors).
import type { EventType } from '../../events/event-log.ts';
import { htmlResponse } from '../../http/respond.ts';
import type { Realm } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import type { SamlError } from '../saml-errors.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';

/** What recording and showing a SAML error uses. */
export type SamlErrorDeps = UsesEvents & UsesLog;

export interface SamlErrorFacts {
  event: Extract<EventType, 'LOGIN_ERROR' | 'LOGOUT_ERROR'>;
  ip: string | null;
  /** The client's clientId (SP entity ID), when it is known. */
  clientId: string | null;
  userId?: string | null;
  sessionId?: string | null;
}

export async function recordSamlError(
  ctx: SamlErrorDeps,
  realm: Realm,
  err: SamlError,
  facts: SamlErrorFacts,
): Promise<void> {
  ctx.log.info(
    { error: err.eventError, code: err.code, description: err.description, detail: err.detail },
    'SAML message refused',
  );
  await ctx.events.record({
    realmId: realm.id,
    type: facts.event,
    clientId: facts.clientId,
    userId: facts.userId ?? null,
    sessionId: facts.sessionId ?? null,
    ipAddress: facts.ip,
    error: err.eventError,
    details: { description: err.description, code: err.code },
  });
}

export async function samlErrorPage(
  ctx: SamlErrorDeps,
  realm: Realm,
  err: SamlError,
  facts: SamlErrorFacts,
): Promise<Response> {
  await recordSamlError(ctx, realm, err, facts);
  const body = html`<h1>We could not complete your request</h1><p role="alert">${err.description}</p><p class="meta">Error: ${err.eventError}</p>`;
  return htmlResponse(page('Error', body), 400);
}
