import { defineScenarioKind } from '../../kind.ts';
import { runFaultScenario } from './run.ts';
import { faultScenarioSchema, type FaultScenario } from './schema.ts';

export const faultKind = defineScenarioKind<FaultScenario>({ kind: 'fault', schema: faultScenarioSchema, run: runFaultScenario });
