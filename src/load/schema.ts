// Schema pieces the benchmark kinds share (load, soak, micro, http-load, resilience): load models,
// bounds, warm-up, driver saturation limits, timeouts and thresholds. Every run is bounded in time
// AND count; thresholds name measurements from src/checks/measurement-catalog.ts.
import { z } from 'zod';
import { findMeasurementDef, type BenchKind } from '../checks/measurement-catalog.ts';
import { parseThreshold } from '../checks/thresholds.ts';

/** Open loop: how many streams may be open at once; arrivals beyond it are dropped and counted. */
export const maxInFlightSchema = z.number().int().min(1).max(10_000).default(1000);

/** Thresholds by measurement name, checked against the catalog: of one scenario kind, or (no kind) of any benchmark. */
export function thresholdsSchema(kind?: BenchKind) {
  return z
    .record(z.string(), z.string())
    .default({})
    .superRefine((record, ctx) => {
      for (const [name, text] of Object.entries(record)) {
        const parsed = parseThreshold(name, text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: [name], message: parsed });
        else if (!findMeasurementDef(name, kind))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: kind
              ? `a ${kind} scenario measures no ${JSON.stringify(name)} (see BENCHMARKS.md for the names)`
              : `no benchmark measures ${JSON.stringify(name)} (see BENCHMARKS.md)`,
          });
      }
    })
    .describe('Measurement name → "<op> <number>", e.g. added_ttft_p99_ms: "< 5". A failed threshold fails the run.');
}

export const syntheticSchema = z
  .object({
    tokens: z.number().int().min(1).max(1_000_000).describe('Content chunks per stream, one numbered token each.'),
    gapMs: z.number().min(0).default(0).describe('Recorded gap between chunks (scaled by speed).'),
  })
  .strict()
  .describe('A generated OpenAI stream (served on the openai slot).');

export const driverSchema = z
  .object({
    maxEventLoopDelayP99Ms: z.number().positive().default(50),
    maxEventLoopUtilization: z.number().gt(0).max(1).default(0.9),
  })
  .strict()
  .default({ maxEventLoopDelayP99Ms: 50, maxEventLoopUtilization: 0.9 })
  .describe('Above these the load driver itself is saturated: the run is invalid and fails.');

export const timeoutsSchema = z
  .object({
    headersSeconds: z.number().positive().default(30),
    idleSeconds: z.number().positive().default(30).describe('Longest silence between reads.'),
    streamSeconds: z.number().positive().default(120).describe('Longest one stream may take.'),
  })
  .strict()
  .default({ headersSeconds: 30, idleSeconds: 30, streamSeconds: 120 });

export const modelSchema = z.discriminatedUnion('model', [
  z
    .object({
      model: z.literal('closed'),
      concurrency: z.number().int().min(1).max(10_000),
      rampUpSeconds: z.number().min(0).default(0).describe('Streams start evenly over this long.'),
    })
    .strict(),
  z
    .object({
      model: z.literal('constant'),
      rate: z.number().positive().max(100_000).describe('Requests per second.'),
      maxInFlight: maxInFlightSchema.describe('Arrivals beyond this many open streams are dropped (and counted).'),
    })
    .strict(),
  z
    .object({
      model: z.literal('poisson'),
      rate: z.number().positive().max(100_000),
      seed: z.number().int().default(1),
      maxInFlight: maxInFlightSchema,
    })
    .strict(),
]);

export const boundsSchema = z
  .object({
    seconds: z.number().positive().max(3600).describe('No request starts after this long.'),
    requests: z.number().int().min(1).max(10_000_000).describe('No more than this many requests start.'),
  })
  .strict();

export const warmupSchema = z
  .object({ seconds: z.number().min(0).default(0), requests: z.number().int().min(0).default(0) })
  .strict()
  .default({ seconds: 0, requests: 0 })
  .describe('Requests started within the first `seconds`, or among the first `requests`, are excluded from statistics.');

/** Fields every streaming-load kind (load, soak) shares. */
export const streamLoadFields = {
  name: z.string().min(1),
  description: z.string().optional(),
  fixtures: z.array(z.string().min(1)).default([]).describe('Cassette globs (relative to this file); at most one cassette per provider.'),
  synthetic: syntheticSchema.optional(),
  mode: z.enum(['normalize', 'passthrough']).default('normalize').describe('Reference gateway mode (an external target uses its profile).'),
  speed: z.number().min(0).default(0).describe('Replay speed: 0 = no delays, 1 = as recorded.'),
  fidelity: z.boolean().default(true).describe('Compare every stream with its golden, byte for byte.'),
  stallMs: z.number().positive().default(2000).describe('A gap between reads longer than this counts as a stall.'),
  timeouts: timeoutsSchema,
  driver: driverSchema,
  upstream: z
    .enum(['replay', 'live'])
    .default('replay')
    .describe('live: the --target is wired to real providers; client-side metrics only (no fidelity, memory or direct comparison).'),
};
