// Keycloak's JSON representations of realms, clients and users, as the admin API returns them.
import { KEYCLOAK_SECRET_MASK } from '../realm/masked-values.ts';
import type { Client, Realm, User } from '../realm/model.ts';
import { OTP_POLICY_FIELDS, type OtpPolicy } from '../realm/otp-policy.ts';

/** Keycloak's otpPolicy* fields of a realm (realm/otp-policy.ts). */
function otpPolicyRepresentation(p: OtpPolicy): Record<string, string | number | boolean> {
  return Object.fromEntries(
    (Object.keys(OTP_POLICY_FIELDS) as (keyof OtpPolicy)[]).map((key) => [OTP_POLICY_FIELDS[key], p[key]]),
  );
}

export function realmRepresentation(r: Realm) {
  return {
    id: r.id,
    realm: r.name,
    displayName: r.displayName ?? undefined,
    enabled: r.enabled,
    accessTokenLifespan: r.accessTokenLifespan,
    ssoSessionIdleTimeout: r.ssoSessionIdleTimeout,
    ssoSessionMaxLifespan: r.ssoSessionMaxLifespan,
    offlineSessionIdleTimeout: r.offlineSessionIdleTimeout,
    attributes: r.attributes,
    ...otpPolicyRepresentation(r.otpPolicy),
    requiredActions: r.requiredActionSettings.map((a) => ({ ...a, providerId: a.alias })),
    // Keycloak's sign-in settings; the SMTP password is masked as Keycloak's admin API masks it.
    ...r.login,
    passwordPolicy: r.login.passwordPolicy ?? undefined,
    smtpServer:
      r.login.smtpServer.password === undefined
        ? r.login.smtpServer
        : { ...r.login.smtpServer, password: KEYCLOAK_SECRET_MASK },
  };
}

/** The secret is never part of the representation (Keycloak serves it at …/client-secret). */
export function clientRepresentation(c: Client) {
  return {
    id: c.id,
    clientId: c.clientId,
    name: c.name ?? undefined,
    enabled: c.enabled,
    publicClient: c.publicClient,
    redirectUris: c.redirectUris,
    webOrigins: c.webOrigins,
    rootUrl: c.rootUrl ?? undefined,
    adminUrl: c.adminUrl ?? undefined,
    frontchannelLogout: c.frontchannelLogout,
    standardFlowEnabled: c.standardFlowEnabled,
    directAccessGrantsEnabled: c.directAccessGrantsEnabled,
    serviceAccountsEnabled: c.serviceAccountsEnabled,
    fullScopeAllowed: c.fullScopeAllowed,
    protocol: c.protocol,
    attributes: c.attributes,
  };
}

export function userRepresentation(u: User) {
  return {
    id: u.id,
    username: u.username,
    email: u.email ?? undefined,
    emailVerified: u.emailVerified,
    firstName: u.firstName ?? undefined,
    lastName: u.lastName ?? undefined,
    enabled: u.enabled,
    requiredActions: u.requiredActions,
    attributes: u.attributes,
  };
}
