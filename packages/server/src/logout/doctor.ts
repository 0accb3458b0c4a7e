// Checks each client's back-channel logout URL the way a delivery would use it: the name
// resolves, the port accepts connections, the TLS chain is trusted, and a signed logout token
// for an unknown session is answered with 200 (BCL §2.8: an unknown session is not an error).
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import type { ProviderContext } from '../context.ts';
import { randomToken } from '../crypto/random.ts';
import type { Client, Realm } from '../realm/model.ts';
import { type BackchannelHttp, classifyNetworkError, DeliveryNetworkError } from './backchannel-http.ts';
import { logoutSettings } from './client-logout-settings.ts';
import { signLogoutToken } from './logout-token.ts';

export interface Check {
  ok: boolean;
  detail: string;
  /** The named cause of a failure (`connection_refused`, `certificate_self_signed`, …), as deliveries record it. */
  cause?: string;
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

function failed(err: NodeJS.ErrnoException): Check {
  const classified = classifyNetworkError(err);
  return { ok: false, detail: classified.message, cause: classified.kind };
}

function connectCheck(url: URL, timeoutMs: number): Promise<Check> {
  return new Promise((resolve) => {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const socket = netConnect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `timeout after ${timeoutMs} ms`, cause: 'timeout' }));
    socket.once('connect', () => done({ ok: true, detail: `${socket.remoteAddress}:${port}` }));
    socket.once('error', (err: NodeJS.ErrnoException) => done(failed(err)));
  });
}

function tlsCheck(url: URL, caFile: string | null, timeoutMs: number): Promise<Check> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      servername: /^[\d.:]+$/.test(host) ? undefined : host,
      ...(caFile ? { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] } : {}),
    });
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `timeout after ${timeoutMs} ms`, cause: 'timeout' }));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      done({ ok: true, detail: `trusted; expires ${cert.valid_to ?? 'unknown'}` });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(failed(err)));
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
  try {
    const addresses = await lookup(url.hostname.replace(/^\[|\]$/g, ''), { all: true });
    result.resolve = { ok: true, detail: addresses.map((a) => a.address).join(', ') };
  } catch (err) {
    result.resolve = failed(err as NodeJS.ErrnoException);
    return result;
  }
  result.connect = await connectCheck(url, timeoutMs);
  if (!result.connect.ok) return result;
  const caFile = settings.caFile ?? realm.attributes['sundown.backchannel.ca.file'] ?? null;
  if (url.protocol === 'https:') {
    result.tls = await tlsCheck(url, caFile, timeoutMs);
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
    const res = await http.post(settings.backchannelUrl, token, caFile);
    result.logoutToken =
      res.status === 200 || res.status === 204
        ? { ok: true, detail: `HTTP ${res.status}` }
        : { ok: false, detail: `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''}` };
  } catch (err) {
    result.logoutToken = err instanceof DeliveryNetworkError ? { ok: false, detail: err.message, cause: err.kind } : { ok: false, detail: String(err) };
  }
  result.ok = result.logoutToken.ok;
  return result;
}

/** Every client of the realm with a back-channel URL. */
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
