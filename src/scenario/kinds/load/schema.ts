// The `kind: load` scenario file.
import { z } from 'zod';
import { thresholdsSchema, modelSchema, boundsSchema, warmupSchema, streamLoadFields } from '../../../load/schema.ts';
import { sloSchema } from '../../../checks/slo.ts';
import { sweepModelSchema } from '../../../load/sweep.ts';
import { workloadSchema } from '../../../load/workload/schema.ts';

export const loadScenarioSchema = z
  .object({
    kind: z.literal('load'),
    ...streamLoadFields,
    load: z.discriminatedUnion('model', [...modelSchema.options, sweepModelSchema]),
    slo: sloSchema.optional(),
    workload: workloadSchema.optional(),
    duration: boundsSchema,
    warmup: warmupSchema,
    compare: z
      .enum(['direct', 'none'])
      .default('none')
      .describe('direct: also drive the replay upstream directly and report added_* (gateway − direct).'),
    rounds: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(1)
      .describe(
        'With compare: direct, alternate the two phases this many times (each bounded by duration, with its own warm-up) and merge each side, so both see the same machine conditions.',
      ),
    reader: z
      .object({ bytesPerSecond: z.number().positive().describe('Each client reads at most this fast (slow readers).') })
      .strict()
      .optional(),
    onEnd: z
      .enum(['drain', 'cut'])
      .default('drain')
      .describe('drain: wait for open streams (failing those still open after drainSeconds); cut: stop them at once, not as failures.'),
    drainSeconds: z.number().positive().default(30),
    thresholds: thresholdsSchema('load'),
  })
  .strict();

export type LoadScenario = z.infer<typeof loadScenarioSchema>;
