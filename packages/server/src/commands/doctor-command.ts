// `sundown doctor --realm R`: checks every back-channel logout URL and admin URL of the realm
// and prints a table of what is wrong. Exit status 0 when all work, 2 when any needs attention.
import type { Logger } from 'pino';
import type { DoctorCommandConfig } from '../config.ts';
import { DEFAULT_HTTP_OPTIONS } from '../logout/delivery/backchannel-http.ts';
import { type Check, doctorRealm, type DoctorResult } from '../logout/diagnostics/doctor.ts';
import { createProvider } from '../provider.ts';
import { openStore } from '../store/database.ts';

export async function runDoctorCommand(
  config: DoctorCommandConfig,
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
    const realm = await provider.ctx.realms.realmByName(config.realm);
    if (!realm) {
      write(`sundown: realm "${config.realm}" not found\n`);
      return 1;
    }
    const results = await doctorRealm(provider.ctx, provider.http, realm);
    write(formatDoctorTable(results));
    return results.every((r) => r.ok) ? 0 : 2;
  } finally {
    await provider.close();
    await store.close();
  }
}

const MAX_CELL = 60;

/**
 * One cell: `ok: …`, or `FAIL <cause>: …` with the named cause first, so a cut message still
 * shows what to fix (`FAIL certificate_self_signed: TLS certificate is self-signed and n…`).
 */
function cell(c: Check | null): string {
  if (c === null) return '—';
  const head = c.ok ? 'ok' : c.cause ? `FAIL ${c.cause}` : 'FAIL';
  return fit(`${head}: ${c.detail}`);
}

/** A cut cell ends in "…", so it never reads as the whole message. */
const fit = (text: string) => (text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text);

export function formatDoctorTable(results: DoctorResult[]): string {
  if (results.length === 0) return 'No client of this realm has a back-channel logout URL or an admin URL.\n';
  // An admin-URL client's row names its kind: the message is a LogoutAction, not a logout token.
  const rows = results.map((r) => [
    fit(r.clientId),
    r.kind === 'backchannel' ? r.url : `${r.kind}: ${r.url}`,
    cell(r.resolve),
    cell(r.connect),
    cell(r.tls),
    cell(r.logoutToken),
  ]);
  const head = ['client', 'back-channel URL', 'resolve', 'connect', 'TLS', 'logout token'];
  // The URL is never cut: it is what the operator has to find and fix.
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const failing = results.filter((r) => !r.ok).length;
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n\n${failing === 0 ? 'All back-channel logout URLs work.' : `${failing} of ${results.length} back-channel logout URLs need attention.`}\n`;
}
