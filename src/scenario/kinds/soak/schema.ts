// The `kind: soak` scenario file.
import { z } from 'zod';
import { thresholdsSchema, warmupSchema, streamLoadFields } from '../../../load/schema.ts';

export const soakScenarioSchema = z
  .object({
    kind: z.literal('soak'),
    ...streamLoadFields,
    concurrency: z.number().int().min(1).max(10_000),
    tokens: z.number().int().min(1).max(1_000_000_000).describe('Stream at least this many tokens after warm-up (the count bound).'),
    maxSeconds: z.number().positive().max(3600).describe('The time bound: the soak stops here even short of `tokens`.'),
    warmup: warmupSchema,
    thresholds: thresholdsSchema('soak'),
  })
  .strict();

export type SoakScenario = z.infer<typeof soakScenarioSchema>;
