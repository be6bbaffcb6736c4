// Runs a `kind: fuzz` scenario: one case per property and provider.
import { join } from 'node:path';
import { parseDuration } from '../../../base/duration.ts';
import { runFuzz } from '../../../fuzz/run-fuzz.ts';
import { providerNames } from '../../../providers/index.ts';
import type { ScenarioResult } from '../../../checks/result.ts';
import { InputError } from '../../../base/errors.ts';
import type { FuzzScenario } from './schema.ts';
import { scenarioResult, skippedScenario } from '../../../checks/result.ts';
import type { ScenarioContext } from '../../kind.ts';

export async function runFuzzScenario(scenario: FuzzScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file, reportDir, onCase } = ctx;
  if (ctx.target.external) {
    return skippedScenario(
      scenario.name,
      file,
      'fuzz',
      "fuzzing drives the reference gateway's stream pipelines in-process; it cannot test a --target",
    );
  }
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
