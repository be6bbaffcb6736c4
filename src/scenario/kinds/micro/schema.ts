// The `kind: micro` scenario file.
import { z } from 'zod';
import { thresholdsSchema } from '../../../load/schema.ts';

export const microScenarioSchema = z
  .object({
    kind: z.literal('micro'),
    name: z.string().min(1),
    description: z.string().optional(),
    benchmarks: z
      .array(z.enum(['sse', 'translate', 'dispatch', 'memory']))
      .min(1)
      .default(['sse', 'translate', 'dispatch', 'memory']),
    timeMs: z.number().int().min(10).max(60_000).default(1000).describe('tinybench time per task.'),
    sse: z
      .object({
        megabytes: z.number().positive().max(256).default(8).describe('Size of each generated stream.'),
        readSizes: z
          .array(
            z
              .number()
              .int()
              .min(1)
              .max(1 << 20),
          )
          .min(1)
          .default([16384, 256]),
        seed: z.number().int().default(1),
      })
      .strict()
      .default({ megabytes: 8, readSizes: [16384, 256], seed: 1 }),
    memoryStreams: z.number().int().min(1).max(100_000).default(1000).describe('Open pipelines held for the provider memory figure.'),
    thresholds: thresholdsSchema('micro'),
  })
  .strict();

export type MicroScenario = z.infer<typeof microScenarioSchema>;
