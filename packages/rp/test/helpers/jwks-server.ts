// A provider's JWKS endpoint on loopback: serves whatever key set the test sets, counts fetches.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';

export interface JwksServer {
  /** The JWKS URL for `path` (default `/certs`). */
  url(path?: string): URL;
  /** The key set served from now on. */
  serve(jwks: JSONWebKeySet): void;
  /** Fetches so far, in total or for one path. */
  fetches(path?: string): number;
  close(): Promise<void>;
}

export async function jwksServer(initial: JSONWebKeySet): Promise<JwksServer> {
  let served = initial;
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path = '/certs') => new URL(path, base),
    serve: (jwks) => void (served = jwks),
    fetches: (path) => (path === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(path) ?? 0)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** `rotated`'s keys as the provider publishes them after a rotation: ids prefixed with `new-`. */
export function withRotatedKeys(old: JSONWebKeySet, rotated: JSONWebKeySet): JSONWebKeySet {
  return { keys: [...old.keys, ...rotated.keys.map((k) => ({ ...k, kid: `new-${k.kid}` }))] };
}
