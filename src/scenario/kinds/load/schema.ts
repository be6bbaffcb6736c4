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
      .union([
        z.enum(['direct', 'none']),
        z
          .array(z.enum(['direct', 'null-proxy', 'gateway']))
          .min(1)
          .superRefine((phases, ctx) => {
            if (!phases.includes('gateway')) ctx.addIssue({ code: 'custom', message: 'the phases must include gateway' });
            if (new Set(phases).size !== phases.length) ctx.addIssue({ code: 'custom', message: 'each phase may appear once' });
          }),
      ])
      .default('none')
      .describe(
        'The phases of each round, in order. direct (= [direct, gateway]): also drive the replay upstream directly and report added_* (gateway − direct). null-proxy: also drive a minimal forwarding proxy (its own process, no parsing) and report added_hop_* (null proxy − direct) and added_over_proxy_* (gateway − null proxy).',
      ),
    calibrate: z
      .object({
        delayMs: z.number().int().positive().max(1000).describe('The delay the null proxy holds every other request for, ms.'),
        toleranceMs: z
          .number()
          .positive()
          .max(1000)
          .default(1)
          .describe(
            "Largest |measured − applied| delay (the median over pairs of a held request's TTFT − its plain neighbour's) for a valid run; also the widest that median's 95% interval may be (half-width).",
          ),
        seconds: z.number().positive().max(600).default(3).describe('The calibration phase is bounded by this (and by duration.requests).'),
      })
      .strict()
      .optional()
      .describe(
        'Before the benchmark, check the measuring chain: one phase through the null proxy, which holds every other request delayMs. Each held request is paired with the plain one launched next to it (same load, same moment, same hop); the run is invalid unless the median of their TTFT differences is within toleranceMs of the delay as the proxy applied it, measured precisely enough to tell (its 95% interval no wider than ±toleranceMs).',
      ),
    rounds: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(1)
      .describe(
        'With compare, alternate the phases this many times (each bounded by duration, with its own warm-up) and merge each side, so all see the same machine conditions.',
      ),
    repeat: z
      .number()
      .int()
      .min(2)
      .max(30)
      .optional()
      .describe(
        'Run the whole scenario this many times and report each figure as the mean of the runs with its 95% confidence interval (t-distribution); thresholds hold against the mean, and --baseline counts a regression only when the intervals do not overlap.',
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

export type ComparePhase = 'direct' | 'null-proxy' | 'gateway';

/** The phases of one round, in order. */
export function comparePhases(compare: LoadScenario['compare']): ComparePhase[] {
  if (compare === 'none') return ['gateway'];
  if (compare === 'direct') return ['direct', 'gateway'];
  return compare;
}
