// The provider's public URLs: issuer, realm paths and endpoints, built from the public origin and
// the optional Keycloak-style relative path (`/auth`). Its own module so that every part that
// builds a URL can import it without importing any service.
export class ProviderUrls {
  /** Origin the issuer is built from, e.g. `https://sso.example.com`, without trailing slash. */
  readonly publicUrl: string;
  /** `''` or a prefix such as `/auth` for old Keycloak URLs. */
  readonly relativePath: string;

  constructor(publicUrl: string, relativePath: string) {
    this.publicUrl = publicUrl.replace(/\/+$/, '');
    this.relativePath = relativePath === '/' ? '' : relativePath.replace(/\/+$/, '');
  }

  /**
   * The server's base URL, what Keycloak's `${authBaseUrl}` stands for in its built-in clients'
   * rootUrl (and the base their relative redirect URIs resolve against).
   */
  get baseUrl(): string {
    return this.publicUrl + this.relativePath;
  }

  /** The path of a realm's routes, e.g. `/auth/realms/demo`. */
  realmPath(realm: string): string {
    return `${this.relativePath}/realms/${encodeURIComponent(realm)}`;
  }

  issuer(realm: string): string {
    return this.publicUrl + this.realmPath(realm);
  }

  /** Where the admin console is served; also its redirect URI. */
  get consoleUrl(): string {
    return `${this.publicUrl}${this.relativePath}/admin/`;
  }

  /** An OIDC endpoint URL, e.g. `endpoint('demo', 'token')`. */
  endpoint(realm: string, path: string): string {
    return `${this.issuer(realm)}/protocol/openid-connect/${path}`;
  }

  get secure(): boolean {
    return this.publicUrl.startsWith('https:');
  }
}

/** The capability of building the provider's public URLs. */
export interface UsesUrls {
  readonly urls: ProviderUrls;
}
