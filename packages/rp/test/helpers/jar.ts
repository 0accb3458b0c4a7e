// A browser stand-in for cross-origin flows: cookies per host, manual redirects.
export class Jar {
  readonly #cookies = new Map<string, Map<string, string>>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.#cookies.get(u.host) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim())) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(u.host, jar);
    return res;
  }

  /** Follows redirects until a non-redirect answer or a URL matching `stopAt`. */
  async follow(
    url: string,
    stopAt?: (u: URL) => boolean,
    init: RequestInit = {},
  ): Promise<{ res: Response; url: string }> {
    let current = url;
    let res = await this.fetch(current, init);
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
      current = new URL(res.headers.get('location')!, current).toString();
      if (stopAt?.(new URL(current))) return { res, url: current };
      res = await this.fetch(current);
    }
    return { res, url: current };
  }
}
