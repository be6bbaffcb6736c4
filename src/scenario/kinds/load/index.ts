import { repeatedScenario } from '../../../checks/repeat.ts';
import type { ScenarioResult } from '../../../checks/result.ts';
import { defineScenarioKind, type ScenarioContext } from '../../kind.ts';
import { runLoadScenario } from './run.ts';
import { runSweepScenario } from './sweep-run.ts';
import { loadScenarioSchema, type LoadScenario } from './schema.ts';

/** `repeat: N`: the whole scenario N times (stopping early when the run is interrupted), combined. */
async function runRepeated(scenario: LoadScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  if (!scenario.repeat) return runLoadScenario(scenario, ctx);
  const runs: ScenarioResult[] = [];
  for (let i = 1; i <= scenario.repeat && !(i > 1 && ctx.signal.aborted); i++) {
    ctx.log(`${scenario.name}: run ${i}/${scenario.repeat}`);
    runs.push(await runLoadScenario(scenario, ctx, i));
  }
  return repeatedScenario(runs);
}

export const loadKind = defineScenarioKind<LoadScenario>({
  kind: 'load',
  schema: loadScenarioSchema,
  run: (scenario, ctx) =>
    scenario.load.model === 'sweep' ? runSweepScenario({ ...scenario, load: scenario.load }, ctx) : runRepeated(scenario, ctx),
});
