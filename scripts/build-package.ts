// `npm run build` of a package (run in its folder, also by `prepack`): a clean dist/ with
// JavaScript, declarations and maps from `tsc -p tsconfig.build.json`; with --cjs also a
// CommonJS build in dist/cjs for require() users, marked {"type":"commonjs"} so that Node and
// TypeScript read its .js and .d.ts files as CommonJS.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Dependencies published as ESM only (CommonJS code still require()s them on Node >= 20.19). */
const ESM_ONLY = ['jose'];

/**
 * TypeScript reads a CommonJS declaration's `import … from 'jose'` as a require() of an ES
 * module and rejects it (TS1479/TS1541); the types are the same either way, so they are
 * imported with the `resolution-mode: import` attribute (TypeScript >= 5.3).
 */
function importEsmOnlyTypes(dir: string): void {
  const names = ESM_ONLY.join('|');
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.d.ts')) continue;
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8')
      .replace(
        new RegExp(`^import (?:type )?\\{([^}]*)\\} from '(${names})';$`, 'gm'),
        (_, list: string, spec: string) =>
          `import type {${list.replace(/\btype /g, '')}} from '${spec}' with { 'resolution-mode': 'import' };`,
      )
      .replace(
        new RegExp(`import\\("(${names})"\\)`, 'g'),
        (_, spec: string) => `import("${spec}", { with: { "resolution-mode": "import" } })`,
      );
    const left = new RegExp(`from '(${names})';$`, 'm').exec(text);
    if (left)
      throw new Error(
        `${path}: cannot rewrite an import of ${left[1]} for CommonJS: ${text.split('\n').find((l) => l.includes(left[0]))}`,
      );
    writeFileSync(path, text);
  }
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = (project: string) => execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('tsconfig.build.json');
if (process.argv.includes('--cjs')) {
  run('tsconfig.cjs.json');
  writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);
  importEsmOnlyTypes('dist/cjs');
}
