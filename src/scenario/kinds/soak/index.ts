import { defineScenarioKind } from '../../kind.ts';
import { runSoakScenario } from './run.ts';
import { soakScenarioSchema, type SoakScenario } from './schema.ts';

export const soakKind = defineScenarioKind<SoakScenario>({ kind: 'soak', schema: soakScenarioSchema, run: runSoakScenario });
