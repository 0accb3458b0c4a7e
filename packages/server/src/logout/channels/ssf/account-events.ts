// Events about a user's account that the admin API starts: RISC 1.0 §2.3–2.5 account-disabled,
// account-enabled and account-purged, and CAEP 1.0 §3.3 credential-change for a password reset
// (`credential_type: "password"`, `change_type: "update"`, as Keycloak 26.7 sends it).
import type { Realm, User } from '../../../realm/model.ts';
import type { UsesSsfTransmitter } from '../../capabilities.ts';
import { SSF_EVENT } from './ssf-names.ts';

export function accountDisabled(ctx: UsesSsfTransmitter, realm: Realm, user: User): Promise<void> {
  // RISC §2.3: `reason` hijacking | bulk-account; an administrator's choice is neither, so none.
  return ctx.ssf.accountEvent(realm, user, SSF_EVENT.accountDisabled, {});
}

export function accountEnabled(ctx: UsesSsfTransmitter, realm: Realm, user: User): Promise<void> {
  return ctx.ssf.accountEvent(realm, user, SSF_EVENT.accountEnabled, {});
}

export function accountPurged(ctx: UsesSsfTransmitter, realm: Realm, user: User): Promise<void> {
  return ctx.ssf.accountEvent(realm, user, SSF_EVENT.accountPurged, {});
}

export function passwordChanged(
  ctx: UsesSsfTransmitter,
  realm: Realm,
  user: User,
  initiatingEntity: 'admin' | 'user',
): Promise<void> {
  return ctx.ssf.accountEvent(realm, user, SSF_EVENT.credentialChange, {
    credential_type: 'password',
    change_type: 'update',
    event_timestamp: Math.floor(Date.now() / 1000),
    initiating_entity: initiatingEntity,
  });
}
