// The broker's side of the sign-in form (login/login-providers.ts): a button per enabled upstream
// not hidden from the login page, and Keycloak's kc_idp_hint.
import type { LoginButton, LoginProviders } from '../login/login-providers.ts';
import type { ProviderUrls } from '../provider-urls.ts';
import type { Realm } from '../realm/model.ts';
import { brokerLoginPath } from './broker-urls.ts';
import type { IdentityProviderStore } from './identity-provider-store.ts';

export class BrokerLoginProviders implements LoginProviders {
  readonly #store: IdentityProviderStore;
  readonly #urls: ProviderUrls;
  constructor(store: IdentityProviderStore, urls: ProviderUrls) {
    this.#store = store;
    this.#urls = urls;
  }

  async buttons(realm: Realm): Promise<LoginButton[]> {
    const all = await this.#store.ofRealm(realm.id);
    // linkOnly providers cannot sign anyone in from the form (Keycloak hides them too).
    return all
      .filter((p) => p.enabled && !p.hideOnLogin && !p.linkOnly)
      .map((p) => ({ alias: p.alias, label: p.displayName ?? p.alias }));
  }

  async hinted(realm: Realm, hint: string): Promise<string | null> {
    const idp = await this.#store.byAlias(realm.id, hint);
    return idp?.enabled ? idp.alias : null;
  }

  startPath(realm: Realm, alias: string, authRequest: string): string {
    return brokerLoginPath(this.#urls, realm.name, alias, authRequest);
  }
}
