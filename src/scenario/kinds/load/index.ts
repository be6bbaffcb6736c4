import { defineScenarioKind } from '../../kind.ts';
import { runLoadScenario } from './run.ts';
import { runSweepScenario } from './sweep-run.ts';
import { loadScenarioSchema, type LoadScenario } from './schema.ts';

export const loadKind = defineScenarioKind<LoadScenario>({
  kind: 'load',
  schema: loadScenarioSchema,
  run: (scenario, ctx) =>
    scenario.load.model === 'sweep' ? runSweepScenario({ ...scenario, load: scenario.load }, ctx) : runLoadScenario(scenario, ctx),
});
