import { defineScenarioKind } from '../../kind.ts';
import { runLoadScenario } from './run.ts';
import { loadScenarioSchema, type LoadScenario } from './schema.ts';

export const loadKind = defineScenarioKind<LoadScenario>({ kind: 'load', schema: loadScenarioSchema, run: runLoadScenario });
