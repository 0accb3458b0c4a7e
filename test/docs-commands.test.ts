// The docs say what works, and this runs it as written. In README.md, docs/*.md and
// packages/*/README.md:
// - ```sh runnable         each block runs in `bash -eo pipefail` from the repository root and must exit 0;
// - ```sh runnable server  starts a server and waits until it answers; the page's later blocks talk to it
//                          (until the next server block). It gets SUNDOWN_PORT (a free loopback port) and
//                          SUNDOWN_DATA_DIR (a fresh folder), and `localhost:8080` in any block means that port.
//                          The same server block on several pages starts one server;
// - ```ts file=PATH        must be the file PATH exactly (the SDK's quick start is examples/rp-quickstart/app.ts);
// - ```ts excerpt=PATH     its lines must appear in PATH in that order (`// …` marks what is left out).
// Commands run as from a user's shell: without the npm test run's NODE_OPTIONS, npm_* variables
// and node_modules/.bin on PATH, so `npx sundown` resolves as it does after `npm ci`.
// Every relative link of those pages must lead to a file, and a `#fragment` to one of its headings.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';

const ROOT = realpathSync(new URL('..', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(ROOT, f))),
];

interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  info: string[];
  text: string;
}

/** The fenced code blocks of a Markdown page, indentation (of a list item) removed. */
function blocks(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) body.push(lines[j++]!.slice(indent));
    found.push({ page, line: i + 1, info: open[2]!.trim().split(/\s+/).filter(Boolean), text: body.join('\n') });
    i = j;
  }
  return found;
}

const at = (b: Block) => `${b.page}:${b.line}`;
const option = (b: Block, name: string) =>
  b.info.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1) ?? undefined;

/** A user's shell: none of what `npm test` adds, so npx and the bin resolve as after `npm ci`. */
const SHELL_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|NODE_OPTIONS$|INIT_CWD$|NODE_TEST_CONTEXT$)/i.test(k)),
);
SHELL_ENV.PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((d) => !/[\\/]node_modules[\\/]\.bin$/.test(d) && !/node-gyp-bin$/.test(d))
  .join(delimiter);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Server {
  port: number;
  dataDir: string;
  child: ChildProcess;
  output: string[];
}

function shell(text: string, env: NodeJS.ProcessEnv, detached = false): ChildProcess {
  return spawn('bash', ['-eo', 'pipefail', '-c', text], { cwd: ROOT, env, detached });
}

function collect(child: ChildProcess, into: string[]): void {
  child.stdout?.on('data', (d: Buffer) => into.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => into.push(d.toString()));
}

const withPort = (text: string, port: number) => text.replace(/\b(localhost|127\.0\.0\.1):8080\b/g, `$1:${port}`);

async function startServer(block: Block): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sundown-docs-'));
  const output: string[] = [];
  const child = shell(
    withPort(block.text, port),
    { ...SHELL_ENV, SUNDOWN_PORT: String(port), SUNDOWN_DATA_DIR: dataDir },
    true,
  );
  collect(child, output);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return { port, dataDir, child, output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopServer({ port, dataDir, child, output });
  assert.fail(`${at(block)}: the server block did not start (exit ${exited}):\n${block.text}\n${output.join('')}`);
}

async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    // The whole group: bash, npx and the node it started.
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(server.dataDir, { recursive: true, force: true });
}

async function run(block: Block, server: Server | undefined): Promise<void> {
  const output: string[] = [];
  const env = server
    ? { ...SHELL_ENV, SUNDOWN_PORT: String(server.port), SUNDOWN_DATA_DIR: server.dataDir }
    : SHELL_ENV;
  const child = shell(server ? withPort(block.text, server.port) : block.text, env);
  collect(child, output);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(timer);
  assert.equal(code, 0, `${at(block)} failed (exit ${code}):\n${block.text}\n${output.join('')}`);
}

const hasCurl = SHELL_ENV.PATH!.split(delimiter).some((d) => existsSync(join(d, 'curl')));

describe('the runnable commands of the docs, as written', () => {
  // A server block written the same way on several pages (the demo realm, started alone) starts
  // once: the pages' commands do not depend on each other's state.
  const servers = new Map<string, Server>();
  after(async () => {
    for (const server of servers.values()) await stopServer(server);
  });

  for (const page of PAGES) {
    const runnable = blocks(page).filter((b) => b.info[0] === 'sh' && b.info[1] === 'runnable');
    if (runnable.length === 0) continue;
    test(page, { skip: hasCurl ? undefined : 'SKIPPED: curl is not installed' }, async () => {
      let server: Server | undefined;
      for (const block of runnable) {
        if (block.info[2] === 'server') {
          server = servers.get(block.text);
          if (!server) servers.set(block.text, (server = await startServer(block)));
        } else {
          await run(block, server);
        }
      }
    });
  }
});

describe('code the docs show is the code that is tested', () => {
  for (const block of PAGES.flatMap(blocks)) {
    const file = option(block, 'file');
    const excerpt = option(block, 'excerpt');
    if (file) {
      test(`${at(block)} is ${file}`, () => {
        assert.equal(`${block.text}\n`, readFileSync(join(ROOT, file), 'utf8'), `${at(block)} differs from ${file}`);
      });
    }
    if (excerpt) {
      test(`${at(block)} is an excerpt of ${excerpt}`, () => {
        const source = readFileSync(join(ROOT, excerpt), 'utf8')
          .split('\n')
          .map((l) => l.trim());
        let from = 0;
        for (const line of block.text.split('\n').map((l) => l.trim())) {
          if (line === '' || line === '// …') continue;
          const found = source.indexOf(line, from);
          assert.ok(found >= 0, `${at(block)}: "${line}" is not in ${excerpt} (after line ${from})`);
          from = found + 1;
        }
      });
    }
  }
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchors(page: string): Set<string> {
  const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set(
    [...text.matchAll(/^#{1,6}\s+(.*)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

test('every relative link of the docs leads to a file, and a #fragment to a heading in it', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:)/.test(target!)) continue;
      const [path = '', fragment] = target!.split('#');
      const file = path ? join(ROOT, dirname(page), path) : join(ROOT, page);
      if (!existsSync(file)) broken.push(`${page}: ${target} (no ${relative(ROOT, file)})`);
      else if (fragment && file.endsWith('.md') && !anchors(file).has(fragment))
        broken.push(`${page}: ${target} (no heading #${fragment})`);
    }
  }
  assert.deepEqual(broken, []);
});
