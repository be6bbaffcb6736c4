// Finds and loads scenario files; cassette globs resolve relative to the scenario file.
import { dirname } from 'node:path';
import { findYamlFiles } from '../base/find-yaml.ts';
import { globSync } from 'tinyglobby';
import { loadYamlFile } from '../base/yaml-input.ts';
import { InputError } from '../base/errors.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /** Cassette files the fixture globs matched, sorted. */
  fixtureFiles: string[];
}

/**
 * Scenario files under the given paths (directories are searched for *.yaml, recursively).
 * Benchmarks (`bench/` folders) are long and machine-bound: a directory search skips them, so
 * they run only when named (`streamproof run scenarios/bench`, `npm run bench`).
 */
export function findScenarioFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) => findYamlFiles([p], /(^|\/)bench\/?$/.test(p) ? [] : ['**/bench/**']));
}

export function loadScenario(file: string): LoadedScenario {
  const loaded = loadYamlFile(file, scenarioSchema);
  const scenario = loaded.value;
  const base = dirname(file);
  // Every kind that replays cassettes names them with `fixtures:` globs.
  const patterns: string[] = 'fixtures' in scenario && Array.isArray(scenario.fixtures) ? scenario.fixtures : [];
  const fixtureFiles = patterns.flatMap((pattern, i) => {
    const matched = globSync(pattern, { cwd: base, absolute: true }).filter((f) => /\.ya?ml$/.test(f));
    if (matched.length === 0)
      throw new InputError(file, loaded.lineOf(['fixtures', i]), `fixtures[${i}]: ${JSON.stringify(pattern)} matches no cassette`);
    return matched;
  });
  return { file, scenario, fixtureFiles: [...new Set(fixtureFiles)].sort() };
}
