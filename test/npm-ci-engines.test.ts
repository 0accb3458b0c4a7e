// The quick start says which EBADENGINE warnings `npm ci` prints on Node 20 and 22, and why they
// are harmless. This keeps it true: `npm ci --dry-run` on an older Node of this machine (with its
// own npm, as a fresh clone would run it), offline, in a scratch copy of the manifests and the
// lockfile, must warn for exactly the packages the README's sentence names, as many times as it says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';

const ROOT = realpathSync(new URL('..', import.meta.url));
const COUNT = ['never', 'once', 'twice', 'three times', 'four times', 'five times', 'six times'];

/** A Node older than 24 (and at least 20.19, which the root package supports) with its npm. */
function olderNode(): { node: string; npm: string; major: number } | undefined {
  const candidates = [
    '/usr/bin/node',
    '/usr/local/bin/node',
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node')),
  ];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const node = realpathSync(c);
    const [major = 0, minor = 0] = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' })
      .stdout.trim()
      .split('.')
      .map(Number);
    const npm = join(dirname(dirname(node)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
    if (major < 24 && (major > 20 || minor >= 19) && existsSync(npm)) return { node, npm, major };
  }
  return undefined;
}

const older = olderNode();

test(
  "npm ci's EBADENGINE warnings on an older Node are the ones the README names",
  { skip: older ? undefined : 'SKIPPED: no Node 20.19–23 with its npm on this machine' },
  () => {
    const { node, npm, major } = older!;
    const scratch = mkdtempSync(join(tmpdir(), 'sundown-engines-'));
    try {
      for (const file of ['package.json', 'package-lock.json', '.npmrc', 'scripts/no-chromedriver'])
        cpSync(join(ROOT, file), join(scratch, file), { recursive: true });
      for (const pkg of ['server', 'rp']) {
        mkdirSync(join(scratch, 'packages', pkg), { recursive: true });
        cpSync(join(ROOT, 'packages', pkg, 'package.json'), join(scratch, 'packages', pkg, 'package.json'));
      }
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(npm_|NODE_OPTIONS$|INIT_CWD$|NODE_TEST_CONTEXT$)/i.test(k)),
      );
      const r = spawnSync(node, [npm, 'ci', '--dry-run', '--offline', '--no-audit', '--no-fund'], {
        cwd: scratch,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      const out = `${r.stdout}${r.stderr}`;
      assert.equal(r.status, 0, out);
      const warned = [...out.matchAll(/EBADENGINE\s+package: '(.+)@[^@']+'/g)].map((m) => m[1]!);

      const sentence = readFileSync(join(ROOT, 'README.md'), 'utf8')
        .split('\n')
        .find((l) => l.includes('EBADENGINE'));
      assert.ok(sentence, 'the README says what npm ci warns');
      assert.match(
        sentence,
        new RegExp(`Node ${major}(, \`npm ci\` warns \`EBADENGINE\`)? ${COUNT[warned.length]}\\b`),
        `Node ${major}: npm ci warns ${warned.length} times (${warned.join(', ')}); the README says: ${sentence}`,
      );
      for (const name of new Set(warned)) assert.ok(sentence.includes(`\`${name}\``), `the README names ${name}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);
