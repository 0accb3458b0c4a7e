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
import { backchannelCa } from '../../realm/attributes.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { type BackchannelHttp, classifyNetworkError, DeliveryNetworkError, pinnedLookup, type ResolvedTarget } from '../delivery/backchannel-http.ts';
import { bodyExcerpt } from '../delivery/body-excerpt.ts';
import { logoutSettings } from '../client-logout-settings.ts';
import { signLogoutToken } from '../delivery/logout-token.ts';

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

// A failed step names its cause as deliveries record it (DeliveryNetworkError from the
// address policy and the CA loader, or a socket error classified the same way).
function failed(err: unknown): Check {
  if (err instanceof DeliveryNetworkError) return { ok: false, detail: err.message, cause: err.kind };
  if (err instanceof Error && 'code' in err) {
    const classified = classifyNetworkError(err as NodeJS.ErrnoException);
    return { ok: false, detail: classified.message, cause: classified.kind };
  }
  return { ok: false, detail: String(err) };
}

function connectCheck(target: ResolvedTarget, timeoutMs: number): Promise<Check> {
  return new Promise((resolve) => {
    const { hostname: host, port } = target;
    const socket = netConnect({ host, port, lookup: pinnedLookup(target.addresses) });
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `timeout after ${timeoutMs} ms`, cause: 'timeout' }));
    socket.once('connect', () => done({ ok: true, detail: `${socket.remoteAddress}:${port}` }));
    socket.once('error', (err: NodeJS.ErrnoException) => done(failed(err)));
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
  const caValue = backchannelCa(client, realm);
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
