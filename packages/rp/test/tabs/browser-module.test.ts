// The browser module run for real against the Express relay, in a child Node with its
// EventSource (undici, --experimental-eventsource) and a minimal DOM: on a logout it marks the
// page, dispatches `sundown:signed-out` and shows the banner. (The Chromium test,
// open-tabs.browser.test.ts, does the same in a browser where one is installed.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import express from 'express';
import { backchannelLogoutRouter, tabRelayRouter } from '../../src/adapters/express.ts';
import { MemoryLogoutStore, TAB_RELAY_SCRIPT } from '../../src/index.ts';
import { CLIENT, ISSUER, post, testIssuer } from '../helpers/tokens.ts';

const HARNESS = `const banners = [];
const html = { dataset: {} };
globalThis.document = {
  documentElement: html,
  body: { prepend: (el) => banners.push(el) },
  createElement: () => ({ style: {}, setAttribute(k, v) { this[k] = v; } }),
};
globalThis.window = new EventTarget();
globalThis.location = { reload() { console.log('RELOAD'); } };
window.addEventListener('sundown:signed-out', (e) => console.log('EVENT ' + JSON.stringify(e.detail)));
await import('./session-events.mjs');
let ready = false;
const timer = setInterval(() => {
  if (!ready && html.dataset.sundownSessionEvents === 'open') { ready = true; console.log('READY'); }
  if (banners.length) {
    console.log('BANNER ' + banners[0].role + ' ' + banners[0].textContent + ' ' + html.dataset.sundownSignedOut);
    clearInterval(timer);
    process.exit(0);
  }
}, 20);
setTimeout(() => process.exit(3), 15000);
`;

test('the browser module: ready mark, then on logout the sundown:signed-out event and the banner', async () => {
  const op = await testIssuer();
  const store = new MemoryLogoutStore();
  const app = express();
  app.use(backchannelLogoutRouter({ issuer: ISSUER, clientId: CLIENT, keys: op.jwks, store }));
  const tabs = tabRelayRouter({ store, identify: () => ({ iss: ISSUER, sid: 'sid-1', sub: 'user-1', createdAt: 0 }) });
  app.use(tabs);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'sundown-tab-module-'));
  try {
    // The module as the browser would load it from the app: import.meta.url is its URL there.
    writeFileSync(
      join(dir, 'session-events.mjs'),
      TAB_RELAY_SCRIPT.replaceAll('import.meta.url', JSON.stringify(`${base}/sundown/session-events.js`)),
    );
    writeFileSync(join(dir, 'harness.mjs'), HARNESS);
    const child = spawn(process.execPath, ['--experimental-eventsource', '--no-warnings', join(dir, 'harness.mjs')], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const seen = (what: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.includes(what)) resolve();
        };
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', () => (out.includes(what) ? resolve() : reject(new Error(`no ${what}: ${out}`))));
        check();
      });
    await seen('READY');
    const res = await backchannel(base, await op.token());
    assert.equal(res, 200);
    await seen('BANNER');
    assert.match(out, /EVENT \{"reason":"logout"\}/);
    assert.match(out, /BANNER alert You have been signed out\. .* true/);
    assert.doesNotMatch(out, /RELOAD/);
  } finally {
    await tabs.relay.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

async function backchannel(base: string, token: string): Promise<number> {
  const req = post(token);
  const res = await fetch(`${base}/backchannel-logout`, {
    method: 'POST',
    headers: req.headers,
    body: await req.text(),
  });
  await res.arrayBuffer();
  return res.status;
}
