// TERMS_AND_CONDITIONS (Keycloak's TermsAndConditions required action, terms.ftl): Accept keeps
// the time of acceptance in the user attribute `terms_and_conditions` (seconds, as Keycloak's
// Time.currentTime()); Decline removes it and fails the sign-in — the application is told
// access_denied (Keycloak: RequiredActionContext.failure → protocol.sendError CONSENT_DENIED).
// Text and buttons from Keycloak's messages_en.properties (termsTitle, termsText, doAccept,
// doDecline); the realm's own terms come with a theme, which Sundown does not have.
import { html, page } from '../../views/html.ts';
import { withoutAction, type RequiredActionHandler } from './required-action-handler.ts';

export const TERMS_ATTRIBUTE = 'terms_and_conditions';

export const termsAndConditions: RequiredActionHandler = {
  async page(_ctx, { action, authRequestId }) {
    const body = html`
<h1>Terms and Conditions</h1>
<div id="terms-text"><p>Terms and conditions to be defined</p></div>
<form method="post" action="${action}" aria-describedby="terms-text">
  <input type="hidden" name="auth_request" value="${authRequestId}">
  <button type="submit" id="kc-accept" name="accept" value="Accept">Accept</button>
  <button type="submit" id="kc-decline" name="cancel" value="Decline" class="secondary">Decline</button>
</form>`;
    return page('Terms and Conditions', body);
  },

  async submit(ctx, { realm, user, client, form, ip }) {
    const others = Object.fromEntries(Object.entries(user.attributes).filter(([name]) => name !== TERMS_ATTRIBUTE));
    if (form.get('cancel') !== undefined) {
      await ctx.realmWriter.updateUser(user.id, { attributes: JSON.stringify(others) });
      await ctx.events.record({
        realmId: realm.id,
        type: 'CUSTOM_REQUIRED_ACTION_ERROR',
        clientId: client.clientId,
        userId: user.id,
        ipAddress: ip,
        error: 'rejected_by_user',
        details: { custom_required_action: 'TERMS_AND_CONDITIONS' },
      });
      return { kind: 'declined' };
    }
    const attributes = { ...others, [TERMS_ATTRIBUTE]: [String(Math.floor(Date.now() / 1000))] };
    const next = withoutAction(user, 'TERMS_AND_CONDITIONS');
    await ctx.realmWriter.updateUser(user.id, { attributes: JSON.stringify(attributes), required_actions: next.json });
    await ctx.events.record({
      realmId: realm.id,
      type: 'CUSTOM_REQUIRED_ACTION',
      clientId: client.clientId,
      userId: user.id,
      ipAddress: ip,
      details: { custom_required_action: 'TERMS_AND_CONDITIONS' },
    });
    return { kind: 'done', user: { ...next.user, attributes } };
  },
};
