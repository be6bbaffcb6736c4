// The scenario suites shipped in the package, by name. Their files are found in the package
// (scenarios/ beside src/ or dist/), never in the working directory, so `streamproof run --suite
// conformance` works from a gateway's own repository, with streamproof installed under node_modules.
import { relative } from 'node:path';
import { UsageError } from '../base/errors.ts';
import { findYamlFiles } from '../base/find-yaml.ts';
import { packageFile } from '../base/package-files.ts';

export const SUITE_NAMES = ['conformance', 'faults', 'fuzz', 'bench'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export interface Suite {
  name: SuiteName;
  /** One line for `streamproof suites`. */
  description: string;
  /** The suite's scenario files (absolute, sorted). */
  files(): string[];
}

/** The folder the shipped suites live in (printed by `streamproof suites`, for copying). */
export const SUITES_DIR = packageFile('scenarios');

export const SUITES: readonly Suite[] = [
  {
    name: 'conformance',
    description: "every provider's recorded streams: golden bytes, under any re-chunking, meaning, the upstream request",
    // The parity scenarios: the top-level files, except the fuzz scenario (a suite of its own).
    files: () => findYamlFiles([SUITES_DIR], ['*/**', 'fuzz.yaml']),
  },
  {
    name: 'faults',
    description: 'upstream failures and client aborts: retries, fallbacks, timeouts, circuit breaker, mid-stream errors',
    files: () => findYamlFiles([packageFile('scenarios', 'faults')]),
  },
  {
    name: 'fuzz',
    description: 'property-based fuzzing of stream handling: re-chunked, re-framed, generated and malformed streams',
    files: () => [packageFile('scenarios', 'fuzz.yaml')],
  },
  {
    name: 'bench',
    description: 'load, soak, micro and HTTP benchmarks with their thresholds (minutes; what `streamproof bench` runs)',
    files: () => findYamlFiles([packageFile('scenarios', 'bench')]),
  },
];

export function isSuiteName(name: string): name is SuiteName {
  return (SUITE_NAMES as readonly string[]).includes(name);
}

export function findSuite(name: string): Suite {
  const suite = SUITES.find((s) => s.name === name);
  if (!suite) throw new UsageError(`unknown suite ${JSON.stringify(name)} (the suites: ${SUITE_NAMES.join(', ')})`);
  return suite;
}

/** The scenario files of the named suites, in order, each file once. */
export function suiteFiles(names: readonly string[]): string[] {
  return [...new Set(names.flatMap((n) => findSuite(n).files()))];
}

/** A suite file as `streamproof suites` shows it: relative to the package's scenarios folder. */
export function suiteFileLabel(file: string): string {
  return relative(SUITES_DIR, file).replaceAll('\\', '/');
}
