// Cassettes whose `expect` block no person has checked yet (`reviewed: false`, as `streamproof
// record` and `import` write them): `streamproof run` warns about them, and --require-reviewed
// (for CI) refuses to run them.
import { loadCassette } from '../cassette/cassette.ts';
import { loadScenario } from './load.ts';

export interface UnreviewedCassette {
  file: string;
  /** The line of `reviewed: false`. */
  line: number | null;
}

export function unreviewedCassettes(scenarioFiles: readonly string[]): UnreviewedCassette[] {
  const files = new Set(scenarioFiles.flatMap((f) => loadScenario(f).fixtureFiles));
  return [...files].sort().flatMap((file) => {
    const c = loadCassette(file);
    return c.expect.reviewed === false ? [{ file, line: c.lineOf(['expect', 'reviewed']) }] : [];
  });
}
