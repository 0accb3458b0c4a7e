// A need that points up: when a user changes their own password in a required action, the
// Shared Signals transmitter (logout/channels/ssf/account-events.ts, a floor above) sends CAEP
// credential-change to its receivers. The composition root plugs it in (provider.ts).
import type { Realm, User } from '../../realm/model.ts';

export interface CredentialSignals {
  /** The user set a new password themselves. */
  passwordChanged(realm: Realm, user: User): Promise<void>;
}

export interface UsesCredentialSignals {
  readonly credentialSignals: CredentialSignals;
}
