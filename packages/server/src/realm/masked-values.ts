// Keycloak's masked value: where Keycloak shows or exports a secret without revealing it — a
// partial export, the admin API's component, identity-provider and realm representations — it
// writes "**********" instead (ComponentRepresentation.SECRET_VALUE, applied by
// StripSecretsUtils to client secrets, identity-provider `clientSecret`, the SMTP `password`,
// LDAP's `bindCredential` and credential values). A masked value is a placeholder, never a
// credential: importing or writing it must not make "**********" a secret anyone can send.
//
// Where the rule is applied today:
//   - client secrets, by every writer (realm import, the admin API's client create and update,
//     bootstrap) through realm/rows.ts: a masked secret counts as none, so the client keeps its
//     current real secret or gets a newly generated one (the import reports which, see
//     `newSecrets` in realm/import-realm.ts);
//   - client authentication (http/client-auth.ts) never accepts a stored mask, which an import
//     made before this rule may have left in the store;
//   - user password credentials: a masked `value` in a realm file or the admin API is not a
//     password (realm/realm-json.ts), nor at reset-password (admin/admin-writes.ts).
//   - the SMTP password (`smtpServer.password`): masked in a realm file, it is dropped with a
//     warning (realm-json.ts); masked in the admin API's PUT of a realm, the stored one is kept.
// Identity-provider client secrets and LDAP bind credentials are not features yet (a realm
// file's `identityProviders` and `components` are ignored). When they
// are added, their writers must apply this rule too: a masked value is never stored — on update
// it keeps the stored value, as Keycloak's admin API does; on create it is refused or replaced.
export const KEYCLOAK_SECRET_MASK = '**********';

/** Exactly Keycloak's mask (a real secret may contain asterisks). */
export function isMaskedValue(value: string | null | undefined): boolean {
  return value === KEYCLOAK_SECRET_MASK;
}

/** The secret if it is one: null when absent or masked. */
export function realSecret(value: string | null | undefined): string | null {
  return value === null || value === undefined || isMaskedValue(value) ? null : value;
}
