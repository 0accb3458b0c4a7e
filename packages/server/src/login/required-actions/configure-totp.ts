// CONFIGURE_TOTP (Keycloak's UpdateTotp required action, login-config-totp.ftl): the page shows a
// new secret as a QR code, as the otpauth:// URI and as text with the policy's settings; the
// form carries the secret back (`totpSecret`, as Keycloak's does), with the code the app shows
// (`totp`) and an optional device name (`userLabel`, required once the user has another OTP
// device). The code is checked against the secret before the credential is saved, and its step
// counts as used. Messages from Keycloak's messages_en.properties.
import { newId } from '../../crypto/random.ts';
import { html, page, Html } from '../../views/html.ts';
import { formField } from '../form-field.ts';
import { encodedSecret, isOtpSecret, keyUri, newOtpSecret, qrCodeSvg } from '../otp/otp-enrolment.ts';
import { matchCode } from '../otp/verify-otp.ts';
import { withoutAction, type RequiredActionHandler } from './required-action-handler.ts';

export const CONFIGURE_TOTP_MESSAGES = {
  missing: 'Please specify authenticator code.',
  invalid: 'Invalid authenticator code.',
  missingDeviceName: 'Please specify device name.',
} as const;

export const configureTotp: RequiredActionHandler = {
  async page(ctx, { realm, user, action, authRequestId, errors, values }) {
    const policy = realm.otpPolicy;
    const secret = values.totpSecret && isOtpSecret(values.totpSecret) ? values.totpSecret : newOtpSecret();
    const uri = keyUri(policy, realm.displayName ?? realm.name, user.username, secret);
    const svg = await qrCodeSvg(uri);
    const hasDevice = (await ctx.otpCredentials.ofUser(user.id)).length > 0;
    const body = html`
<h1>Mobile Authenticator Setup</h1>
<p>You need to set up Mobile Authenticator to activate your account.</p>
<ol>
  <li>Install an authenticator app on your mobile (FreeOTP, Google Authenticator, Microsoft Authenticator).</li>
  <li>Open the application and scan this QR-Code:
    <div class="qr" role="img" aria-label="QR code of the key for your authenticator app">${new Html(svg)}</div>
    <p>Unable to scan? Enter the key: <code id="totp-secret">${encodedSecret(secret)}</code></p>
    <p class="meta">Type: ${policy.type === 'totp' ? 'Time-based' : 'Counter-based'} · Algorithm: ${policy.algorithm.replace('Hmac', '')} · Digits: ${policy.digits} · ${policy.type === 'totp' ? `Interval: ${policy.period}` : `Counter: ${policy.initialCounter}`}</p>
    <p class="meta">Key URI: <a id="totp-uri" href="${uri}">${uri}</a></p>
  </li>
  <li>Enter the one-time code provided by the application and click Submit to finish the setup.</li>
</ol>
<form method="post" action="${action}" novalidate>
  <input type="hidden" name="auth_request" value="${authRequestId}">
  <input type="hidden" name="totpSecret" value="${secret}">
  ${formField({
    name: 'totp',
    label: 'One-time code',
    error: errors.totp,
    attributes: html`autocomplete="one-time-code" inputmode="numeric" autocapitalize="none" spellcheck="false"`,
    autofocus: true,
  })}
  ${formField({
    name: 'userLabel',
    label: 'Device Name',
    error: errors.userLabel,
    value: values.userLabel ?? '',
    required: hasDevice,
    attributes: html`autocomplete="off"`,
  })}
  <button type="submit">Submit</button>
</form>`;
    return page('Mobile Authenticator Setup', body);
  },

  async submit(ctx, { realm, user, client, form, ip }) {
    const policy = realm.otpPolicy;
    const code = (form.get('totp') ?? '').trim();
    const secret = form.get('totpSecret') ?? '';
    const userLabel = (form.get('userLabel') ?? '').trim();
    const values = { totpSecret: secret, userLabel };
    if (!isOtpSecret(secret)) return { kind: 'invalid', errors: { totp: CONFIGURE_TOTP_MESSAGES.invalid }, values: {} };
    if (code === '') return { kind: 'invalid', errors: { totp: CONFIGURE_TOTP_MESSAGES.missing }, values };
    const existing = await ctx.otpCredentials.ofUser(user.id);
    if (existing.length > 0 && userLabel === '')
      return { kind: 'invalid', errors: { userLabel: CONFIGURE_TOTP_MESSAGES.missingDeviceName }, values };
    const source = {
      type: policy.type,
      secret,
      secretEncoding: null,
      algorithm: policy.algorithm,
      digits: policy.digits,
      period: policy.period,
      counter: policy.initialCounter,
    };
    const match = matchCode(source, policy.lookAheadWindow, code, Date.now());
    if (match === null) return { kind: 'invalid', errors: { totp: CONFIGURE_TOTP_MESSAGES.invalid }, values };
    await ctx.otpCredentials.insert(
      {
        id: newId(),
        realm_id: realm.id,
        user_id: user.id,
        type: policy.type,
        secret,
        secret_encoding: null,
        algorithm: policy.algorithm,
        digits: policy.digits,
        period: policy.period,
        counter: 'counter' in match ? match.counter + 1 : policy.initialCounter,
        user_label: userLabel === '' ? null : userLabel,
        created_at: Date.now(),
      },
      undefined,
      'step' in match && !policy.codeReusable ? match.step : null,
    );
    const next = withoutAction(user, 'CONFIGURE_TOTP');
    await ctx.realmWriter.updateUser(user.id, { required_actions: next.json });
    await ctx.events.record({
      realmId: realm.id,
      type: 'UPDATE_TOTP',
      clientId: client.clientId,
      userId: user.id,
      ipAddress: ip,
    });
    return { kind: 'done', user: next.user };
  },
};
