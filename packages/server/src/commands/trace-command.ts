// `sundown trace <logout-id> [--json]`: prints one logout's trace — what ended which sessions, who
// started it, every message to every application across channels, and each app's outcome — from
// the store, with no server running. Exit status 0 when every application is signed out, 2 when
// any is not (yet), 1 when there is no such logout.
import type { Logger } from 'pino';
import type { TraceCommandConfig } from '../config.ts';
import { traceLogout } from '../logout/trace/logout-trace.ts';
import { formatTrace } from '../logout/trace/trace-text.ts';
import { createProvider } from '../provider.ts';
import { openStore } from '../store/database.ts';

export async function runTraceCommand(
  config: TraceCommandConfig,
  publicUrl: string,
  log: Logger,
  write: (s: string) => void,
): Promise<number> {
  const store = await openStore(config.store, log);
  const provider = await createProvider(store, {
    publicUrl,
    httpRelativePath: config.httpRelativePath,
    log,
    background: false,
  });
  try {
    const { ctx } = provider;
    const logout = await ctx.logouts.byIdAnyRealm(config.logoutId);
    const realm = logout ? await ctx.realms.realmById(logout.realm_id) : undefined;
    if (!logout || !realm) {
      write(`sundown: no logout "${config.logoutId}"\n`);
      return 1;
    }
    const trace = await traceLogout(ctx, realm, logout);
    write(config.json ? `${JSON.stringify(trace, null, 2)}\n` : formatTrace(trace));
    return trace.status.apps.every((a) => a.state === 'signed_out') ? 0 : 2;
  } finally {
    await provider.close();
    await store.close();
  }
}
