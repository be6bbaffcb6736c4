import { defineScenarioKind } from '../../kind.ts';
import { runHttpLoadScenario } from './run.ts';
import { httpLoadScenarioSchema, type HttpLoadScenario } from './schema.ts';

export const httpLoadKind = defineScenarioKind<HttpLoadScenario>({
  kind: 'http-load',
  schema: httpLoadScenarioSchema,
  run: runHttpLoadScenario,
});
