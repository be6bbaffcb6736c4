// The `kind: parity` scenario file: cassettes replayed through the gateway and checked byte for byte.
import { z } from 'zod';
import { MASK_PATH, MASK_PATH_HINT } from '../../../target/profile.ts';

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
      .array(
        z.string().refine((m) => MASK_PATH.test(m), {
          error: (issue) => `${JSON.stringify(issue.input)} is not a JSON path: ${MASK_PATH_HINT}`,
        }),
      )
      .default([])
      .describe('JSON paths ignored when comparing an external target with goldens.'),
  })
  .strict();

export type ParityScenario = z.infer<typeof parityScenarioSchema>;
