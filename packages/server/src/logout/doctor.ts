// Checks each client's back-channel logout URL — or, for a client with only an admin URL, its
// `k_logout` URL — the way a delivery would use it: the name resolves, the port accepts
// connections, the TLS chain is trusted, and a signed logout token (a LogoutAction) for an
// unknown session is answered with 200 (BCL §2.8: an unknown session is not an error).
// Every step uses the one resolution of the first, checked by the address policy (standards
// §4), so the doctor cannot probe addresses delivery would refuse; of an answer body only a
// short escaped excerpt is shown.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import type { ProviderContext } from '../context.ts';
import { randomToken } from '../crypto/random.ts';
import type { Client, Realm } from '../realm/model.ts';
import { CA_ATTRIBUTE } from './backchannel-ca.ts';
import { type BackchannelHttp, classifyNetworkError, DeliveryNetworkError, pinnedLookup, type ResolvedTarget } from './backchannel-http.ts';
import { bodyExcerpt } from './body-excerpt.ts';
import { logoutSettings } from './client-logout-settings.ts';
import { doctorSenderFor } from './senders/index.ts';
import type { DeliveryKind } from '../store/schema.ts';

export interface Check {
  ok: boolean;
  detail: string;
}

export interface DoctorResult {
  clientId: string;
  /** Which delivery kind the checked URL receives: `backchannel`, or `k_logout` (admin URL). */
  kind: DeliveryKind;
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
  // The endpoint a session end would use: the back-channel URL, else the admin URL (k_logout).
  const input = { keys: ctx.keys, urls: ctx.urls, realm, client };
  const sender = doctorSenderFor((s) => s.target(input));
  const targetUrl = sender?.target(input);
  if (!sender?.probe || !targetUrl) return null;
  const result: DoctorResult = { clientId: client.clientId, kind: sender.kind, url: targetUrl, resolve: SKIPPED, connect: SKIPPED, tls: null, logoutToken: SKIPPED, ok: false };
  let url: URL;
  try {
    url = new URL(targetUrl);
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
  const caValue = logoutSettings(client).caFile ?? realm.attributes[CA_ATTRIBUTE] ?? null;
  if (url.protocol === 'https:') {
    try {
      result.tls = await tlsCheck(target, (await http.trustedCa(caValue))?.pem ?? null, timeoutMs);
    } catch (err) {
      result.tls = failed(err);
    }
    if (!result.tls.ok) return result;
  }
  // A logout token (or LogoutAction) for a session nobody has: a working receiver answers 2xx.
  const probe = await sender.probe(input, randomToken(16));
  if (!probe) return result;
  try {
    const res = await http.send(probe.url, probe, { ca: caValue, resolved: target });
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

/** Every client of the realm with a back-channel URL or an admin URL. */
export async function doctorRealm(ctx: ProviderContext, http: BackchannelHttp, realm: Realm): Promise<DoctorResult[]> {
  const rows = await ctx.db.selectFrom('client').select('id').where('realm_id', '=', realm.id).orderBy('client_id').execute();
  const results: DoctorResult[] = [];
  for (const { id } of rows) {
    const client = await ctx.realms.clientById(id);
    const r = client ? await checkClientBackchannel(ctx, http, realm, client) : null;
    if (r) results.push(r);
  }
  return results;
}

export function formatDoctorTable(results: DoctorResult[]): string {
  if (results.length === 0) return 'No client of this realm has a back-channel logout URL or an admin URL.\n';
  const cell = (c: Check | null) => (c === null ? '—' : `${c.ok ? 'ok' : 'FAIL'}: ${c.detail}`);
  // An admin-URL client's row names its kind: the message is a LogoutAction, not a logout token.
  const rows = results.map((r) => [r.clientId, r.kind === 'backchannel' ? r.url : `${r.kind}: ${r.url}`, cell(r.resolve), cell(r.connect), cell(r.tls), cell(r.logoutToken)]);
  const head = ['client', 'back-channel URL', 'resolve', 'connect', 'TLS', 'logout token'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => c.slice(0, widths[i]).padEnd(widths[i]!)).join('  ');
  const failing = results.filter((r) => !r.ok).length;
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n\n${failing === 0 ? 'All back-channel logout URLs work.' : `${failing} of ${results.length} back-channel logout URLs need attention.`}\n`;
}
