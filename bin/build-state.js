// Which code `npx streamproof` should run. An installed package has the compiled CLI in dist/ and
// no src/; a source checkout has both, and its build is stale when a source file, a folder of
// them or the TypeScript config changed after dist/cli.js was written (a build replaces all of
// dist/, so that file's time is the build's).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * 'built': run dist/cli.js. 'source': a checkout whose build is missing or older than its
 * sources: run src/cli.ts through tsx. 'missing': neither (an installed package without dist/).
 * @param {string} root the package root
 * @returns {'built' | 'source' | 'missing'}
 */
export function buildState(root) {
  const cli = join(root, 'dist', 'cli.js');
  const src = join(root, 'src');
  const hasSource = existsSync(join(src, 'cli.ts'));
  if (!existsSync(cli)) return hasSource ? 'source' : 'missing';
  if (!hasSource) return 'built';
  const builtAt = statSync(cli).mtimeMs;
  const inputs = [src, ...readdirSync(src, { recursive: true }).map((f) => join(src, String(f)))];
  for (const config of ['tsconfig.json', 'tsconfig.build.json']) inputs.push(join(root, config));
  return inputs.some((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs > builtAt) ? 'source' : 'built';
}
