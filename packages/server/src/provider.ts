// Assembles the provider's services over an open store.
import { type Logger, pino } from 'pino';
import { createApp } from './app.ts';
import { type ProviderContext, ProviderUrls } from './context.ts';
import { SigningKeys } from './crypto/signing-keys.ts';
import { EventLog } from './events/event-log.ts';
import { LoginThrottle, type ThrottlePolicy } from './login/throttle.ts';
import { RealmRepository } from './realm/repository.ts';
import { SsoSessions } from './sessions/sso-session.ts';
import type { Store } from './store/database.ts';
import { TokenIssuer } from './tokens/token-issuer.ts';

export interface ProviderOptions {
  publicUrl: string;
  httpRelativePath?: string;
  log?: Logger;
  throttle?: ThrottlePolicy;
}

export interface Provider {
  ctx: ProviderContext;
  /** Web-standard request handler: `fetch(request)` → response. */
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
}

export function createProvider(store: Store, options: ProviderOptions): Provider {
  const keys = new SigningKeys(store.db);
  const ctx: ProviderContext = {
    db: store.db,
    keys,
    realms: new RealmRepository(store.db),
    sessions: new SsoSessions(store.db),
    tokens: new TokenIssuer(keys),
    events: new EventLog(store.db),
    throttle: new LoginThrottle(store.db, options.throttle),
    urls: new ProviderUrls(options.publicUrl, options.httpRelativePath ?? ''),
    log: options.log ?? pino({ level: 'silent' }),
  };
  const app = createApp(ctx);
  return { ctx, fetch: (request, env) => app.fetch(request, env) };
}
