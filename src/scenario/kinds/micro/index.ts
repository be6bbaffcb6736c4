import { defineScenarioKind } from '../../kind.ts';
import { runMicroScenario } from './run.ts';
import { microScenarioSchema, type MicroScenario } from './schema.ts';

export const microKind = defineScenarioKind<MicroScenario>({ kind: 'micro', schema: microScenarioSchema, run: runMicroScenario });
