import { defineScenarioKind } from '../../kind.ts';
import { runFuzzScenario } from './run.ts';
import { fuzzScenarioSchema, type FuzzScenario } from './schema.ts';

export const fuzzKind = defineScenarioKind<FuzzScenario>({ kind: 'fuzz', schema: fuzzScenarioSchema, run: runFuzzScenario });
