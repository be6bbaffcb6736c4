// Runs a `kind: fuzz` scenario: one case per property and provider.
import { join } from 'node:path';
import { parseDuration } from '../fuzz/duration.ts';
import { runFuzz } from '../fuzz/run-fuzz.ts';
import { providerNames } from '../providers/index.ts';
import type { CaseResult, ScenarioResult } from '../report/types.ts';
import { InputError } from '../input/yaml-input.ts';
import type { FuzzScenario } from './fuzz-schema.ts';
import { scenarioResult } from './result.ts';

export async function runFuzzScenario(
  file: string,
  scenario: FuzzScenario,
  reportDir: string,
  onCase?: (r: CaseResult) => void,
): Promise<ScenarioResult> {
  const unknown = (scenario.providers ?? []).filter((p) => !providerNames().includes(p));
  if (unknown.length)
    throw new InputError(file, null, `providers: unknown provider ${unknown.join(', ')} (known: ${providerNames().join(', ')})`);
  const started = performance.now();
  const cases = await runFuzz({
    providers: scenario.providers,
    properties: scenario.properties,
    runs: scenario.runs,
    seed: scenario.seed,
    timeBudgetMs: parseDuration(scenario.timeBudget)!,
    counterexampleDir: join(reportDir, 'counterexamples'),
    onResult: onCase,
  });
  return scenarioResult(scenario.name, file, 'fuzz', started, cases);
}
