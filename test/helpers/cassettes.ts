// Shared by the suites that run over every shipped cassette.
import { globSync } from 'tinyglobby';
import { fileURLToPath } from 'node:url';
import { loadCassette, type Cassette } from '../../src/cassette/cassette.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function shippedCassettes(): Cassette[] {
  return globSync('fixtures/*/*.yaml', { cwd: REPO_ROOT, absolute: true }).sort().map(loadCassette);
}
