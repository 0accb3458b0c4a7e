// Logout fan-out latency with SAML (issue 16): one SSO session signed into 5 OIDC clients (each
// with a back-channel receiver) and 2 SAML SPs told by SOAP (node-saml AuthnRequests, answered by
// SSO through /protocol/saml); time from the OIDC RP-initiated logout request to the last of the 7
// receivers having its logout token or SOAP LogoutRequest. Receivers run in worker threads.
// Alone: node --conditions=source bench/scenarios/saml-fanout.ts [--rounds 100] [--store sqlite|postgres]
//   [--oidc 5] [--saml 2]   (e.g. --oidc 7 --saml 0 for the OIDC-only baseline at the same load)
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { SAML } from '@node-saml/node-saml';
import { Jar } from '../lib/jar.ts';
import { percentile, startReceivers, table } from '../lib/receivers.ts';
import { startSundown, sundownSignIn } from '../lib/sundown.ts';

export interface SamlFanoutRow {
  oidc: number;
  saml: number;
  store: string;
  rounds: number;
  p50: number;
  p95: number;
}

const now = () => performance.timeOrigin + performance.now();
const cb = (i: number) => `https://c${i}.bench/cb`;
const acs = (i: number) => `https://s${i}.bench/saml/acs`;
const entity = (i: number) => `urn:bench:sp${i}`;

async function startSoapReceivers(
  entityIds: string[],
): Promise<{ urls: string[]; arrivals: number[]; close(): Promise<void> }> {
  const worker = new Worker(new URL('../lib/soap-receivers-worker.ts', import.meta.url), { workerData: { entityIds } });
  const arrivals: number[] = [];
  const ports = await new Promise<number[]>((resolve) => {
    worker.on('message', (m: { ports?: number[]; at?: number }) => {
      if (m.ports) return resolve(m.ports);
      arrivals.push(m.at!);
    });
  });
  return {
    urls: ports.map((p) => `http://127.0.0.1:${p}/saml/soap`),
    arrivals,
    close: () => worker.terminate().then(() => undefined),
  };
}

export async function runSamlFanout(opts: {
  rounds: number;
  oidc?: number;
  saml?: number;
  store?: 'sqlite' | 'postgres';
}): Promise<SamlFanoutRow> {
  const nOidc = opts.oidc ?? 5;
  const nSaml = opts.saml ?? 2;
  const receivers = await startReceivers(nOidc);
  const soap = await startSoapReceivers(Array.from({ length: nSaml }, (_, i) => entity(i)));
  const sundown = await startSundown(
    {
      clients: [
        ...receivers.urls.map((url, i) => ({
          clientId: `c${i}`,
          secret: `c${i}-secret`,
          redirectUris: [cb(i)],
          attributes: { 'backchannel.logout.url': url },
        })),
        ...soap.urls.map((url, i) => ({
          clientId: entity(i),
          protocol: 'saml',
          frontchannelLogout: false,
          redirectUris: [acs(i)],
          attributes: {
            'saml.client.signature': 'false',
            'saml.server.signature': 'true',
            'saml.assertion.signature': 'true',
            saml_single_logout_service_url_soap: url,
          },
        })),
      ],
      users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
    },
    { store: opts.store ?? 'sqlite' },
  );
  try {
    const descriptor = await (await fetch(`${sundown.issuer}/protocol/saml/descriptor`)).text();
    const idpCert = /<ds:X509Certificate>([^<]+)</.exec(descriptor)![1]!;
    const sps = Array.from(
      { length: nSaml },
      (_, i) =>
        new SAML({
          entryPoint: `${sundown.issuer}/protocol/saml`,
          issuer: entity(i),
          callbackUrl: acs(i),
          idpCert,
          identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        }),
    );
    const samples: number[] = [];
    const warmup = Math.max(2, Math.floor(opts.rounds / 20));
    for (let r = 0; r < opts.rounds + warmup; r++) {
      const jar = new Jar();
      let idToken = '';
      for (let i = 0; i < nOidc; i++) {
        const t = await sundownSignIn(jar, sundown.issuer, `c${i}`, cb(i), 'u', 'pw');
        if (i === 0) idToken = t.id_token!;
      }
      // Each SP's AuthnRequest, answered by SSO: the Response form means the SP joined the session.
      for (const sp of sps) {
        const res = await jar.fetch(await sp.getAuthorizeUrlAsync('', undefined, {}));
        const html = await res.text();
        if (!html.includes('name="SAMLResponse"'))
          throw new Error(`SAML sign-in did not answer by SSO (${res.status})`);
      }
      const before = { oidc: receivers.arrivals.length, saml: soap.arrivals.length };
      const started = now();
      await (
        await jar.fetch(
          `${sundown.issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: idToken })}`,
        )
      ).arrayBuffer();
      await receivers.waitForTotal(before.oidc + nOidc, 30_000);
      const deadline = Date.now() + 30_000;
      while (soap.arrivals.length < before.saml + nSaml) {
        if (Date.now() > deadline)
          throw new Error(`only ${soap.arrivals.length - before.saml} of ${nSaml} SOAP LogoutRequests arrived`);
        await new Promise((res) => setTimeout(res, 1));
      }
      const last = Math.max(
        ...receivers.arrivals.slice(before.oidc).map((a) => a.at),
        ...soap.arrivals.slice(before.saml),
      );
      if (r >= warmup) samples.push(last - started);
    }
    samples.sort((a, b) => a - b);
    return {
      oidc: nOidc,
      saml: nSaml,
      store: opts.store ?? 'sqlite',
      rounds: opts.rounds,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
    };
  } finally {
    await sundown.close();
    await receivers.close();
    await soap.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '100' },
      store: { type: 'string', default: 'sqlite' },
      oidc: { type: 'string', default: '5' },
      saml: { type: 'string', default: '2' },
    },
  });
  const row = await runSamlFanout({
    rounds: Number(values.rounds),
    store: values.store === 'postgres' ? 'postgres' : 'sqlite',
    oidc: Number(values.oidc),
    saml: Number(values.saml),
  });
  console.log(
    table([
      {
        clients: `${row.oidc} OIDC + ${row.saml} SAML (SOAP)`,
        store: row.store,
        rounds: row.rounds,
        'p50 ms': row.p50.toFixed(1),
        'p95 ms': row.p95.toFixed(1),
      },
    ]),
  );
}
