// Cookie parsing and the attributes of Sundown's own cookies.

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds?: number;
  secure: boolean;
}

/** HttpOnly; SameSite=Lax so top-level navigations from RPs still carry it; Secure under https. */
export function setCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${opts.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${opts.maxAgeSeconds}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearCookie(name: string, opts: Omit<CookieOptions, 'maxAgeSeconds'>): string {
  return setCookie(name, '', { ...opts, maxAgeSeconds: 0 });
}

export const SESSION_COOKIE = 'SUNDOWN_SESSION';
export const LOGIN_BINDING_COOKIE = 'SUNDOWN_LOGIN';
