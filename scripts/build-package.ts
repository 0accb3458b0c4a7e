// `npm run build` of a package (run in its folder, also by `prepack`): a clean dist/ with
// JavaScript, declarations and maps from `tsc -p tsconfig.build.json`; with --cjs also a
// CommonJS build in dist/cjs for require() users, marked {"type":"commonjs"} so that Node and
// TypeScript read its .js and .d.ts files as CommonJS.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = (project: string) => execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('tsconfig.build.json');
if (process.argv.includes('--cjs')) {
  run('tsconfig.cjs.json');
  writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);
}
