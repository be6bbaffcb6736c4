import { defineScenarioKind } from '../../kind.ts';
import { runResilienceScenario } from './run.ts';
import { resilienceScenarioSchema, type ResilienceScenario } from './schema.ts';

export const resilienceKind = defineScenarioKind<ResilienceScenario>({
  kind: 'resilience',
  schema: resilienceScenarioSchema,
  run: runResilienceScenario,
});
