// `sundown logout --realm R (--user U | --session S | --all)`: ends sessions through the
// single sign-out service, so every client gets its token, and reports what happened.
import type { Logger } from 'pino';
import type { LogoutCommandConfig } from '../config.ts';
import { DEFAULT_HTTP_OPTIONS } from '../logout/delivery/backchannel-http.ts';
import { createProvider } from '../provider.ts';
import { openStore } from '../store/database.ts';

/** Who starts the command's logouts: the operator at a terminal. */
const CLI = { startedBy: 'cli', actor: 'sundown logout' } as const;

export async function runLogoutCommand(
  config: LogoutCommandConfig,
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
    logout: { http: { ...DEFAULT_HTTP_OPTIONS, ...config.backchannel } },
  });
  try {
    const { ctx } = provider;
    const realm = await ctx.realms.realmByName(config.realm);
    if (!realm) {
      write(`sundown: realm "${config.realm}" not found\n`);
      return 1;
    }
    ctx.deliveries.start();
    let what: string;
    let result: Awaited<ReturnType<typeof ctx.logout.logoutAll>>;
    if ('user' in config.target) {
      const user =
        (await ctx.realms.userByUsername(realm.id, config.target.user)) ??
        (await ctx.realms.userById(config.target.user));
      if (!user || user.realmId !== realm.id) {
        write(`sundown: user "${config.target.user}" not found in realm ${realm.name}\n`);
        return 1;
      }
      result = await ctx.logout.logoutUser(realm, user.id, CLI);
      what = `user ${user.username}`;
    } else if ('session' in config.target) {
      result = await ctx.logout.endSessions(realm, [config.target.session], 'admin_session', CLI);
      what = `session ${config.target.session}`;
    } else {
      result = await ctx.logout.logoutAll(realm, CLI);
      what = 'every session';
    }
    write(`Ended ${result.ended.length} session(s) (${what}) in realm ${realm.name}.\n`);
    if (result.logoutId)
      write(`Logout ${result.logoutId} (see: sundown trace ${result.logoutId} --realm ${realm.name}).\n`);
    if (result.deliveryIds.length === 0) {
      write('No client in those sessions has a back-channel logout URL.\n');
      return 0;
    }
    await ctx.deliveries.waitForFirstAttempts(result.deliveryIds, config.waitMs);
    const counts = await provider.deliveryStore.statusCounts(result.deliveryIds);
    const parts = Object.entries(counts).map(([status, n]) => `${n} ${status}`);
    write(`Back-channel logout tokens: ${result.deliveryIds.length} (${parts.join(', ')}).\n`);
    if ((counts.pending ?? 0) + (counts.retrying ?? 0) > 0) {
      write('Deliveries not yet done stay in the outbox; every running Sundown server keeps retrying them.\n');
    }
    return 0;
  } finally {
    await provider.close();
    await store.close();
  }
}
