// SAML SOAP single-logout endpoints for benchmarks, in their own thread: N HTTP servers on loopback
// that answer each LogoutRequest with a SOAP LogoutResponse (status Success, InResponseTo the
// request's ID, Issuer the SP's entity ID; unsigned, for SPs registered with
// `saml.client.signature: "false"`) and report each arrival time to the parent.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const { entityIds } = workerData as { entityIds: string[] };
const ports: number[] = [];
for (const [i, entityId] of entityIds.entries()) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const id = /<samlp:LogoutRequest [^>]*\bID="([^"]+)"/.exec(body)?.[1] ?? '';
      const response =
        `<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Body>` +
        `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${Date.now()}${i}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${id}">` +
        `<saml:Issuer>${entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>` +
        `</soap11:Body></soap11:Envelope>`;
      res.writeHead(200, { 'content-type': 'text/xml' }).end(response);
      parentPort!.postMessage({ receiver: i, at });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports.push((server.address() as AddressInfo).port);
}
parentPort!.postMessage({ ports });
