// A minimal browser: a cookie jar and manual redirects, over any fetch function (the app
// in-process, or a real socket).
export type Fetcher = (input: string | Request, init?: RequestInit) => Promise<Response>;

export class Browser {
  readonly #fetch: Fetcher;
  readonly #jar = new Map<string, string>();

  constructor(fetcher: Fetcher) {
    this.#fetch = fetcher;
  }

  cookie(name: string): string | undefined {
    return this.#jar.get(name);
  }

  clearCookies(): void {
    this.#jar.clear();
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#jar.size > 0) headers.set('cookie', [...this.#jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.#fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.#jar.delete(name);
      else this.#jar.set(name, value);
    }
    return res;
  }

  get(url: string): Promise<Response> {
    return this.request(url);
  }

  post(url: string, form: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}

/** Extracts the login form's action and hidden auth_request id from the sign-in page. */
export function parseLoginForm(html: string, base: string): { action: string; authRequest: string } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const authRequest = /name="auth_request" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !authRequest) throw new Error(`not a login page:\n${html.slice(0, 500)}`);
  return { action: new URL(action.replace(/&amp;/g, '&'), base).toString(), authRequest };
}

/**
 * Opens an authorization URL and, when the sign-in form appears, signs in. Returns the final
 * redirect to the client (with code or error).
 */
export async function signIn(browser: Browser, authUrl: string, username: string, password: string): Promise<URL> {
  const page = await browser.get(authUrl);
  if (page.status === 302) return new URL(page.headers.get('location')!);
  if (page.status !== 200) throw new Error(`authorization returned ${page.status}: ${await page.text()}`);
  const form = parseLoginForm(await page.text(), authUrl);
  const res = await browser.post(form.action, { auth_request: form.authRequest, username, password });
  if (res.status !== 303) throw new Error(`login returned ${res.status}: ${(await res.text()).slice(0, 400)}`);
  return new URL(res.headers.get('location')!);
}
