// Scenario kinds for benchmarks: `load` (streaming load, fidelity, gateway-added latency, slow
// readers), `soak` (≥ N tokens, heap after GC compared with heap after warm-up), `micro`
// (tinybench micro-benchmarks) and `http-load` (autocannon on the non-streaming path). Every run
// is bounded in time AND count; thresholds name measurements from src/load/measurement-catalog.ts.
import { z } from 'zod';
import { findMeasurementDef, type BenchKind } from '../load/measurement-catalog.ts';
import { parseThreshold } from '../load/thresholds.ts';

function thresholdsSchema(kind: BenchKind) {
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
            message: `a ${kind} scenario measures no ${JSON.stringify(name)} (see BENCHMARKS.md for the names)`,
          });
      }
    })
    .describe('Measurement name → "<op> <number>", e.g. added_ttft_p99_ms: "< 5". A failed threshold fails the run.');
}

const syntheticSchema = z
  .object({
    tokens: z.number().int().min(1).max(1_000_000).describe('Content chunks per stream, one numbered token each.'),
    gapMs: z.number().min(0).default(0).describe('Recorded gap between chunks (scaled by speed).'),
  })
  .strict()
  .describe('A generated OpenAI stream (served on the openai slot).');

const driverSchema = z
  .object({
    maxEventLoopDelayP99Ms: z.number().positive().default(50),
    maxEventLoopUtilization: z.number().gt(0).max(1).default(0.9),
  })
  .strict()
  .default({ maxEventLoopDelayP99Ms: 50, maxEventLoopUtilization: 0.9 })
  .describe('Above these the load driver itself is saturated: the run is invalid and fails.');

const timeoutsSchema = z
  .object({
    headersSeconds: z.number().positive().default(30),
    idleSeconds: z.number().positive().default(30).describe('Longest silence between reads.'),
    streamSeconds: z.number().positive().default(120).describe('Longest one stream may take.'),
  })
  .strict()
  .default({ headersSeconds: 30, idleSeconds: 30, streamSeconds: 120 });

const modelSchema = z.discriminatedUnion('model', [
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
      maxInFlight: z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .default(1000)
        .describe('Arrivals beyond this many open streams are dropped (and counted).'),
    })
    .strict(),
  z
    .object({
      model: z.literal('poisson'),
      rate: z.number().positive().max(100_000),
      seed: z.number().int().default(1),
      maxInFlight: z.number().int().min(1).max(10_000).default(1000),
    })
    .strict(),
]);

const boundsSchema = z
  .object({
    seconds: z.number().positive().max(3600).describe('No request starts after this long.'),
    requests: z.number().int().min(1).max(10_000_000).describe('No more than this many requests start.'),
  })
  .strict();

const warmupSchema = z
  .object({ seconds: z.number().min(0).default(0), requests: z.number().int().min(0).default(0) })
  .strict()
  .default({ seconds: 0, requests: 0 })
  .describe('Requests started within the first `seconds`, or among the first `requests`, are excluded from statistics.');

const common = {
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

export const loadScenarioSchema = z
  .object({
    kind: z.literal('load'),
    ...common,
    load: modelSchema,
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

export const soakScenarioSchema = z
  .object({
    kind: z.literal('soak'),
    ...common,
    concurrency: z.number().int().min(1).max(10_000),
    tokens: z.number().int().min(1).max(1_000_000_000).describe('Stream at least this many tokens after warm-up (the count bound).'),
    maxSeconds: z.number().positive().max(3600).describe('The time bound: the soak stops here even short of `tokens`.'),
    warmup: warmupSchema,
    thresholds: thresholdsSchema('soak'),
  })
  .strict();

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

export const httpLoadScenarioSchema = z
  .object({
    kind: z.literal('http-load'),
    name: z.string().min(1),
    description: z.string().optional(),
    fixtures: z.array(z.string().min(1)).length(1).describe('The one non-streaming cassette to serve.'),
    mode: z.enum(['normalize', 'passthrough']).default('normalize'),
    connections: z.number().int().min(1).max(10_000).default(50),
    duration: boundsSchema,
    warmupSeconds: z.number().min(0).default(2),
    timeoutSeconds: z.number().positive().default(10),
    driver: driverSchema,
    thresholds: thresholdsSchema('http-load'),
  })
  .strict();

export type LoadScenario = z.infer<typeof loadScenarioSchema>;
export type SoakScenario = z.infer<typeof soakScenarioSchema>;
export type MicroScenario = z.infer<typeof microScenarioSchema>;
export type HttpLoadScenario = z.infer<typeof httpLoadScenarioSchema>;
