#!/usr/bin/env node
// The `sundown` command. Installed (under node_modules), it runs `#cli` (package.json "imports"):
// the built dist/cli.js, or src/cli.ts under --conditions=source. In a clone of the repository
// (`node packages/server/bin/sundown.js`, `npx sundown`) it runs the sources, which Node 24 runs
// by type stripping: a dist/ left there by `npm pack` may be stale, and none is needed.
import { realpathSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

// Plain JavaScript that any Node parses, so an old one gets this sentence, not a syntax error.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 7)) {
  process.stderr.write(
    `sundown: needs Node.js 24.7 or newer; this is ${process.version}.\n` +
      '  In a clone of the repository, `npx sundown …` runs it on the Node 24 that `npm ci` installed\n' +
      '  (or `. scripts/use-node.sh` puts that Node in your shell); elsewhere, install Node 24.\n',
  );
  process.exit(1);
}

const installed = realpathSync(fileURLToPath(import.meta.url))
  .split(/[\\/]/)
  .includes('node_modules');
await import(installed ? '#cli' : '../src/cli.ts');
