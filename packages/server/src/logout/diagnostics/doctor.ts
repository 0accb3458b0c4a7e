// Checks each client's back-channel logout URL — or, for a client with only an admin URL, its
// `k_logout` URL — the way a delivery would use it: the name resolves, the port accepts
// connections, the TLS chain is trusted, and a signed logout token (a LogoutAction) for an
// unknown session is answered with 200 (BCL §2.8: an unknown session is not an error).
// Every step uses the one resolution of the first, checked by the address policy (standards
// §4), so the doctor cannot probe addresses delivery would refuse; of an answer body only a
// short escaped excerpt is shown.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import { randomToken } from '../../crypto/random.ts';
import { backchannelCa } from '../../realm/attributes.ts';
import type { Client, Realm } from '../../realm/model.ts';
import type { DeliveryKind } from '../../store/schema.ts';
import {
  type BackchannelHttp,
  classifyNetworkError,
  DeliveryNetworkError,
  pinnedLookup,
  type ResolvedTarget,
} from '../delivery/backchannel-http.ts';
import { bodyExcerpt } from '../delivery/body-excerpt.ts';
import { CHANNELS } from '../channels/registry.ts';
import type { UsesSigningKeys } from '../../crypto/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';

export interface Check {
  ok: boolean;
  detail: string;
  /** The named cause of a failure (`connection_refused`, `certificate_self_signed`, …), as deliveries record it. */
  cause?: string;
}

export interface DoctorResult {
  clientId: string;
  /** Which delivery kind the checked URL receives: `backchannel`, `k_logout` (admin URL) or `saml_soap`. */
  kind: DeliveryKind;
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

export async function checkClientBackchannel(
  ctx: UsesSigningKeys & UsesUrls,
  http: BackchannelHttp,
  realm: Realm,
  client: Client,
  timeoutMs = 5000,
): Promise<DoctorResult | null> {
  // The endpoint a session end would use: the back-channel URL, else the admin URL (k_logout);
  // a SAML client's SOAP SLO URL (saml_soap).
  const input = { keys: ctx.keys, urls: ctx.urls, realm, client };
  const sender = CHANNELS.doctorSenderFor((s) => s.target(input), client.protocol);
  const targetUrl = sender?.target(input);
  if (!sender?.probe || !targetUrl) return null;
  const result: DoctorResult = {
    clientId: client.clientId,
    kind: sender.kind,
    url: targetUrl,
    resolve: SKIPPED,
    connect: SKIPPED,
    tls: null,
    logoutToken: SKIPPED,
    ok: false,
  };
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
  const caValue = backchannelCa(client, realm);
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
    // A kind whose answer carries a protocol result (SAML SOAP: a LogoutResponse) judges it.
    const verdict = probe.judge?.(res);
    result.logoutToken = verdict
      ? {
          ok: verdict.outcome === 'delivered',
          detail:
            verdict.outcome === 'delivered'
              ? `HTTP ${res.status}, valid LogoutResponse`
              : `HTTP ${res.status}: ${verdict.error ?? ''}`,
        }
      : res.status === 200 || res.status === 204
        ? { ok: true, detail: `HTTP ${res.status}` }
        : { ok: false, detail: `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}` };
  } catch (err) {
    result.logoutToken = failed(err);
  }
  result.ok = result.logoutToken.ok;
  return result;
}

/** Every client of the realm with a back-channel URL or an admin URL, and every SAML client with a SOAP SLO URL. */
export async function doctorRealm(
  ctx: UsesSigningKeys & UsesRealms & UsesUrls,
  http: BackchannelHttp,
  realm: Realm,
): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  for (const client of await ctx.realms.clientsOf(realm.id)) {
    const r = await checkClientBackchannel(ctx, http, realm, client);
    if (r) results.push(r);
  }
  return results;
}
