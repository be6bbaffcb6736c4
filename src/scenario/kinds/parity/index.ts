import { defineScenarioKind } from '../../kind.ts';
import { runParityScenario } from './run.ts';
import { parityScenarioSchema, type ParityScenario } from './schema.ts';

export const parityKind = defineScenarioKind<ParityScenario>({ kind: 'parity', schema: parityScenarioSchema, run: runParityScenario });
