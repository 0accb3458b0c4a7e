// Where a logout's status is read: JSON for the signed-out page's script, and the same status as
// a server-rendered page for a browser without scripts. Both under the logout endpoint's path,
// where the browser's status key cookie is sent (browser-key.ts).
import type { UsesUrls } from '../../provider-urls.ts';

export function statusUrls(ctx: UsesUrls, realmName: string, logoutId: string): { statusUrl: string; pageUrl: string } {
  const base = ctx.urls.endpoint(realmName, 'logout');
  const q = `?logout=${encodeURIComponent(logoutId)}`;
  return { statusUrl: `${base}/status${q}`, pageUrl: `${base}/signed-out${q}` };
}
