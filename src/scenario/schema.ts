// Scenario files: what a run does. One kind per runner; `kind: parity` replays cassettes through
// the gateway and checks the output byte for byte.
import { z } from 'zod';
import { fuzzScenarioSchema } from './fuzz-schema.ts';
import { faultScenarioSchema } from './fault-schema.ts';
import { httpLoadScenarioSchema, loadScenarioSchema, microScenarioSchema, soakScenarioSchema } from './load-schema.ts';

export const chunkingsSchema = z
  .object({
    bytewise: z.boolean().default(true).describe('Also replay every cassette one byte per read.'),
    random: z.number().int().min(0).max(100).default(3).describe('How many seeded random re-chunkings to replay.'),
    seed: z.number().int().default(1).describe('Seed of the first random re-chunking (the others use seed+1, …).'),
  })
  .strict();

export const parityScenarioSchema = z
  .object({
    kind: z.literal('parity'),
    name: z.string().min(1),
    description: z.string().optional(),
    fixtures: z.array(z.string().min(1)).min(1).describe('Cassette globs, relative to this file.'),
    modes: z
      .array(z.enum(['normalize', 'passthrough']))
      .min(1)
      .default(['normalize'])
      .describe('Reference gateway modes to run (ignored with --target).'),
    chunkings: chunkingsSchema.default({ bytewise: true, random: 3, seed: 1 }),
    speed: z.number().min(0).default(0).describe('Replay speed: 0 = no delays, 1 = as recorded.'),
    masks: z
      .array(z.string().regex(/^\$(\.[A-Za-z0-9_]+|\[\d+\]|\[\*\])+$/, 'a mask is a JSON path like $.id or $.choices[*].delta.x'))
      .default([])
      .describe('JSON paths ignored when comparing an external target with goldens.'),
  })
  .strict();

// Each kind: a schema here (or in its own <kind>-schema.ts) and a runner in run-<kind>.ts,
// dispatched in run.ts. Adding a kind is one line in this union and one case there.
export const scenarioSchema = z.discriminatedUnion('kind', [
  parityScenarioSchema,
  fuzzScenarioSchema,
  loadScenarioSchema,
  soakScenarioSchema,
  microScenarioSchema,
  httpLoadScenarioSchema,
  faultScenarioSchema,
]);

export type ParityScenario = z.infer<typeof parityScenarioSchema>;
export type Scenario = z.infer<typeof scenarioSchema>;
