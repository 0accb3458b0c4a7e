// The upstream identity providers a sign-in form offers (issue 26): the broker (broker/, floors
// above) implements this and the composition root plugs it in, so the login floor knows only
// that a sign-in may continue at an upstream, by a link carrying the pending sign-in's id.
import type { Realm } from '../realm/model.ts';

export interface LoginButton {
  alias: string;
  /** The button's text: the provider's displayName, else its alias. */
  label: string;
}

export interface LoginProviders {
  /** The enabled upstreams shown on the sign-in form (hideOnLogin ones are left out). */
  buttons(realm: Realm): Promise<LoginButton[]>;
  /** Keycloak's `kc_idp_hint`: the alias when the realm has that upstream enabled, else null. */
  hinted(realm: Realm, hint: string): Promise<string | null>;
  /** Where the browser starts the sign-in of pending request `authRequest` at upstream `alias`. */
  startPath(realm: Realm, alias: string, authRequest: string): string;
}

export interface UsesLoginProviders {
  readonly loginProviders: LoginProviders;
}
