// Checks each client's back-channel logout URL the way a delivery would use it: the name
// resolves, the port accepts connections, the TLS chain is trusted, and a signed logout token
// for an unknown session is answered with 200 (BCL §2.8: an unknown session is not an error).
// Every step uses the one resolution of the first, checked by the address policy (standards
// §4), so the doctor cannot probe addresses delivery would refuse; of an answer body only a
// short escaped excerpt is shown.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import type { ProviderContext } from '../../context.ts';
import { randomToken } from '../../crypto/random.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { CA_ATTRIBUTE } from '../delivery/backchannel-ca.ts';
import { type BackchannelHttp, classifyNetworkError, DeliveryNetworkError, pinnedLookup, type ResolvedTarget } from '../delivery/backchannel-http.ts';
import { bodyExcerpt } from '../delivery/body-excerpt.ts';
import { logoutSettings } from '../client-logout-settings.ts';
import { signLogoutToken } from '../delivery/logout-token.ts';

export interface Check {
  ok: boolean;
  detail: string;
}

export interface DoctorResult {
  clientId: string;
  url: string;
  resolve: Check;
  connect: Check;
  tls: Check | null;
  logoutToken: Check;
  ok: boolean;
}

const SKIPPED: Check = { ok: false, detail: 'skipped' };

const failed = (err: unknown): Check => ({ ok: false, detail: err instanceof DeliveryNetworkError ? `${err.kind}: ${err.message}` : String(err) });

function connectCheck(target: ResolvedTarget, timeoutMs: number): Promise<Check> {
  return new Promise((resolve) => {
    const { hostname: host, port } = target;
    const socket = netConnect({ host, port, lookup: pinnedLookup(target.addresses) });
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `timeout after ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true, detail: `${socket.remoteAddress}:${port}` }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, detail: classifyNetworkError(err).message }));
  });
}

function tlsCheck(target: ResolvedTarget, ca: string[] | null, timeoutMs: number): Promise<Check> {
  return new Promise((resolve) => {
    const { hostname: host, port } = target;
    const socket = tlsConnect({
      host,
      port,
      lookup: pinnedLookup(target.addresses),
      servername: /^[\d.:]+$/.test(host) ? undefined : host,
      ...(ca ? { ca: [...rootCertificates, ...ca] } : {}),
    });
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `timeout after ${timeoutMs} ms` }));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      done({ ok: true, detail: `trusted; expires ${cert.valid_to ?? 'unknown'}` });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, detail: classifyNetworkError(err).message }));
  });
}

export async function checkClientBackchannel(ctx: ProviderContext, http: BackchannelHttp, realm: Realm, client: Client, timeoutMs = 5000): Promise<DoctorResult | null> {
  const settings = logoutSettings(client);
  if (!settings.backchannelUrl) return null;
  const result: DoctorResult = { clientId: client.clientId, url: settings.backchannelUrl, resolve: SKIPPED, connect: SKIPPED, tls: null, logoutToken: SKIPPED, ok: false };
  let url: URL;
  try {
    url = new URL(settings.backchannelUrl);
  } catch {
    result.resolve = { ok: false, detail: 'not a valid URL' };
    return result;
  }
  let target: ResolvedTarget;
  try {
    target = await http.resolveTarget(url);
    result.resolve = { ok: true, detail: target.addresses.map((a) => a.address).join(', ') };
  } catch (err) {
    result.resolve = failed(err);
    return result;
  }
  result.connect = await connectCheck(target, timeoutMs);
  if (!result.connect.ok) return result;
  const caValue = settings.caFile ?? realm.attributes[CA_ATTRIBUTE] ?? null;
  if (url.protocol === 'https:') {
    try {
      result.tls = await tlsCheck(target, (await http.trustedCa(caValue))?.pem ?? null, timeoutMs);
    } catch (err) {
      result.tls = failed(err);
    }
    if (!result.tls.ok) return result;
  }
  const token = await signLogoutToken(ctx.keys, {
    realmId: realm.id,
    issuer: ctx.urls.issuer(realm.name),
    client,
    subject: `sundown-doctor-${randomToken(8)}`,
    sid: settings.sessionRequired ? `sundown-doctor-${randomToken(16)}` : null,
    revokeOfflineAccess: false,
  });
  try {
    const res = await http.post(settings.backchannelUrl, token, { ca: caValue, resolved: target });
    const excerpt = bodyExcerpt(res.body);
    result.logoutToken =
      res.status === 200 || res.status === 204
        ? { ok: true, detail: `HTTP ${res.status}` }
        : { ok: false, detail: `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}` };
  } catch (err) {
    result.logoutToken = failed(err);
  }
  result.ok = result.logoutToken.ok;
  return result;
}

/** Every client of the realm with a back-channel URL. */
export async function doctorRealm(ctx: ProviderContext, http: BackchannelHttp, realm: Realm): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  for (const client of await ctx.realms.clientsOf(realm.id)) {
    const r = await checkClientBackchannel(ctx, http, realm, client);
    if (r) results.push(r);
  }
  return results;
}

export function formatDoctorTable(results: DoctorResult[]): string {
  if (results.length === 0) return 'No client of this realm has a back-channel logout URL.\n';
  const cell = (c: Check | null) => (c === null ? '—' : `${c.ok ? 'ok' : 'FAIL'}: ${c.detail}`);
  const rows = results.map((r) => [r.clientId, r.url, cell(r.resolve), cell(r.connect), cell(r.tls), cell(r.logoutToken)]);
  const head = ['client', 'back-channel URL', 'resolve', 'connect', 'TLS', 'logout token'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => c.slice(0, widths[i]).padEnd(widths[i]!)).join('  ');
  const failing = results.filter((r) => !r.ok).length;
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n\n${failing === 0 ? 'All back-channel logout URLs work.' : `${failing} of ${results.length} back-channel logout URLs need attention.`}\n`;
}
