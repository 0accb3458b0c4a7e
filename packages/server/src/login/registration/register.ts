// Self-registration (Keycloak's registration flow, `registrationAllowed`, off by default): from
// the login page's "Register" link, within the pending sign-in of this browser. The realm's
// password policy applies; the username and (unless duplicateEmailsAllowed) the email must be
// free; the new user gets the realm's default role and default required actions (and, when the
// realm has verifyEmail, VERIFY_EMAIL by its trigger); then the sign-in goes on as after a password.
import { hashPassword } from '../../crypto/password.ts';
import { newId } from '../../crypto/random.ts';
import { InvalidRequest } from '../../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie } from '../../http/cookies.ts';
import { readForm } from '../../http/params.ts';
import { htmlResponse } from '../../http/respond.ts';
import type { RouteHandler } from '../../http/route.ts';
import type { Realm, User } from '../../realm/model.ts';
import { passwordPolicyViolation } from '../../realm/password-change.ts';
import { defaultRequiredActions } from '../../realm/required-actions.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from '../login-completion.ts';
import { afterAuthentication, type SubmitLoginDeps } from '../submit-login.ts';
import { loginFormResponse } from '../start-login.ts';
import {
  checkRegistration,
  readRegistration,
  REGISTRATION_MESSAGES,
  type Registration,
  type RegistrationErrors,
  renderRegistrationPage,
} from './registration-form.ts';
import type { UsesAccessWriter, UsesUserAccess } from '../../access/capabilities.ts';
import type { UsesTransact } from '../../store/capabilities.ts';

export type RegisterDeps = SubmitLoginDeps & UsesAccessWriter & UsesUserAccess & UsesTransact;

const EXPIRED =
  'This sign-in page has expired or was opened in another browser. Return to the application and sign in again.';

export function registrationEndpoint<D extends RegisterDeps>(completions: LoginCompletions<D>): RouteHandler<D> {
  return async (ctx, realm, req, ip) => {
    if (!realm.login.registrationAllowed) throw new InvalidRequest('Registration not allowed');
    const form = req.method === 'POST' ? await readForm(req) : null;
    const id = form ? form.require('auth_request') : new URL(req.url).searchParams.get('auth_request');
    const binding = readCookie(req, LOGIN_BINDING_COOKIE);
    const request = id ? await ctx.pending.findLogin<PendingLogin>(realm.id, id, binding) : undefined;
    if (!id || !request || !binding) throw new InvalidRequest(EXPIRED);
    const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
    if (!client?.enabled || client.protocol !== protocolOf(request)) throw new InvalidRequest('Client not found');
    // "Back to Login": the same pending sign-in's form.
    if (new URL(req.url).searchParams.get('back') === '1') return loginFormResponse(ctx, realm, id, binding, null);
    const show = (values: Registration | null, errors: RegistrationErrors, status: number) =>
      htmlResponse(
        renderRegistrationPage({
          realm,
          action: `${ctx.urls.realmPath(realm.name)}/login-actions/registration`,
          authRequestId: id,
          values,
          errors,
          loginUrl: `${ctx.urls.realmPath(realm.name)}/login-actions/registration?auth_request=${encodeURIComponent(id)}&back=1`,
        }),
        status,
      );
    if (!form) return show(null, {}, 200);

    const emailAsUsername = realm.login.registrationEmailAsUsername;
    const values = readRegistration((n) => form.get(n), emailAsUsername);
    const errors = { ...checkRegistration(values, emailAsUsername), ...(await storeConflicts(ctx, realm, values)) };
    if (!errors.password && !errors['password-confirm']) {
      const broken = await passwordPolicyViolation(
        ctx,
        realm,
        { username: values.username, email: values.email },
        values.password,
      );
      if (broken) errors.password = broken.message;
    }
    if (Object.keys(errors).length > 0) {
      await ctx.events.record({
        realmId: realm.id,
        type: 'REGISTER_ERROR',
        clientId: client.clientId,
        ipAddress: ip,
        error: 'invalid_registration',
      });
      return show(values, errors, 400);
    }

    const user = await createUser(ctx, realm, values);
    if (!user)
      return show(
        values,
        emailAsUsername
          ? { email: REGISTRATION_MESSAGES.emailExists }
          : { username: REGISTRATION_MESSAGES.usernameExists },
        400,
      );
    await ctx.events.record({
      realmId: realm.id,
      type: 'REGISTER',
      clientId: client.clientId,
      userId: user.id,
      ipAddress: ip,
    });
    // The new user is authenticated: their actions, then the SSO session, as after a sign-in.
    return afterAuthentication(ctx, completions, { realm, req, ip, id, request, client, user });
  };
}

async function storeConflicts(ctx: RegisterDeps, realm: Realm, r: Registration): Promise<RegistrationErrors> {
  const errors: RegistrationErrors = {};
  const emailAsUsername = realm.login.registrationEmailAsUsername;
  if (r.username !== '' && (await ctx.realms.userByUsername(realm.id, r.username)))
    errors[emailAsUsername ? 'email' : 'username'] = emailAsUsername
      ? REGISTRATION_MESSAGES.emailExists
      : REGISTRATION_MESSAGES.usernameExists;
  if (
    r.email !== '' &&
    !realm.login.duplicateEmailsAllowed &&
    (await ctx.realms.userIdsByEmail(realm.id, r.email)).length > 0
  )
    errors.email = REGISTRATION_MESSAGES.emailExists;
  return errors;
}

/** The new user with the default role; undefined when the name was taken meanwhile. */
async function createUser(ctx: RegisterDeps, realm: Realm, r: Registration): Promise<User | undefined> {
  const id = newId();
  // Keycloak gives a registered user the realm's defaultAction ones, as a user the admin creates.
  const requiredActions = defaultRequiredActions(realm);
  try {
    await ctx.realmWriter.insertUser(id, realm.id, await hashPassword(r.password), {
      username: r.username,
      email: r.email,
      email_verified: 0,
      first_name: r.firstName,
      last_name: r.lastName,
      enabled: 1,
      required_actions: JSON.stringify(requiredActions),
      attributes: '{}',
    });
  } catch (err) {
    // Two registrations racing for one username: the store's unique constraint decides.
    if (await ctx.realms.userByUsername(realm.id, r.username)) return undefined;
    throw err;
  }
  await ctx.transact(async (tx) => {
    await ctx.userAccess.grantRoles(id, [await ctx.accessWriter.defaultRole(tx, realm.id, realm.name)], tx);
  });
  return ctx.realms.userById(id);
}
