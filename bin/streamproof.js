#!/usr/bin/env node
// Entry point for `npx streamproof`: the compiled CLI in dist/, built by `npm run build` (which
// `npm ci`, `npm install` and `npm pack` run as `prepare`). In a source checkout whose build is
// missing or older than src/, the sources run through tsx instead (the same code, a slower
// start), so a stale build never answers for edited sources.
import { fileURLToPath } from 'node:url';
import { buildState } from './build-state.js';

const state = buildState(fileURLToPath(new URL('..', import.meta.url)));
if (state === 'missing') {
  process.stderr.write('streamproof: the compiled CLI (dist/cli.js) is missing from this installation; reinstall streamproof\n');
  process.exit(1);
}
if (state === 'source') {
  const tsx = await import('tsx/esm/api').catch(() => null);
  if (!tsx) {
    process.stderr.write('streamproof: src/ changed since the last build (dist/) and tsx is not installed: run `npm run build`\n');
    process.exit(1);
  }
  tsx.register();
}
const { main } = state === 'built' ? await import('../dist/cli.js') : await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
