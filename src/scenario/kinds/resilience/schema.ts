// The `kind: resilience` scenario file. Every phase is bounded in count (streams, rounds) and in
// time (each stream by streamSeconds, the whole run by maxSeconds, the settling by its seconds).
import { z } from 'zod';
import { retrySchema, timeoutsSchema } from '../../../gateway/config.ts';
import { driverSchema, thresholdsSchema } from '../../../load/schema.ts';

export const resilienceGatewaySchema = z
  .object({
    timeouts: timeoutsSchema
      .default({})
      .describe('Over the resilience defaults (connect 1000, first byte 1000, idle 1000, total 30000 ms).'),
    retry: retrySchema
      .default({})
      .describe('Over the resilience defaults (3 attempts, 10 ms base, 200 ms max backoff, Retry-After up to 1 s).'),
    heapMb: z.number().int().min(32).max(16_384).default(256).describe('--max-old-space-size of the gateway process, as in a container.'),
  })
  .strict()
  .default({ timeouts: {}, retry: {}, heapMb: 256 })
  .describe('The reference gateway, in a process of its own; with a `down/*` route (a closed port) that falls back to the provider.');

export const resilienceScenarioSchema = z
  .object({
    kind: z.literal('resilience'),
    name: z.string().min(1),
    description: z.string().optional(),
    fixtures: z
      .array(z.string().min(1))
      .length(1)
      .describe('One streaming OpenAI cassette (a glob matching one file): every stream plays it, faults are injected into it.'),
    gateway: resilienceGatewaySchema,
    stallMs: z
      .number()
      .int()
      .positive()
      .max(60_000)
      .default(10_000)
      .describe("How long stall and hang faults hold the upstream response (the gateway's timeouts end them sooner)."),
    warmup: z
      .object({ streams: z.number().int().min(0).max(10_000).default(200) })
      .strict()
      .default({ streams: 200 })
      .describe('Clean streams, all at once, before the memory baseline.'),
    recovery: z
      .object({
        streams: z.number().int().min(1).max(100_000).default(400).describe('Streams whose first upstream attempt fails, over every kind.'),
        concurrency: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(8)
          .describe('Streams at once (low, so recovery time measures the gateway, not a queue).'),
      })
      .strict()
      .default({ streams: 400, concurrency: 8 }),
    soak: z
      .object({
        streams: z.number().int().min(1).max(10_000).default(1000).describe('Concurrent streams per round.'),
        rounds: z.number().int().min(1).max(100).default(3),
        faultRate: z.number().min(0).max(1).default(0.1).describe('Share of each round with an injected fault, every kind in turn.'),
        speed: z.number().min(0).default(1).describe('Replay speed of the soak streams: 0 = no delays, 1 = as recorded.'),
      })
      .strict()
      .default({ streams: 1000, rounds: 3, faultRate: 0.1, speed: 1 }),
    settle: z
      .object({
        closeSeconds: z
          .number()
          .positive()
          .max(300)
          .default(15)
          .describe('After the soak, how long every upstream request and gateway request has to close.'),
        idleSeconds: z
          .number()
          .min(0)
          .max(300)
          .default(11)
          .describe(
            "Before each heap snapshot (after warm-up, after the soak), client connections closed, wait this long so the gateway's idle upstream connections (kept 10 s) expire: idle pools are state, not leaks.",
          ),
      })
      .strict()
      .default({ closeSeconds: 15, idleSeconds: 11 }),
    streamSeconds: z
      .number()
      .positive()
      .max(600)
      .default(60)
      .describe('The longest one client stream may take (then it counts as broken).'),
    maxSeconds: z
      .number()
      .positive()
      .max(3600)
      .default(600)
      .describe('The time bound: no recovery batch or soak round starts after this long (a run cut short fails).'),
    driver: driverSchema,
    thresholds: thresholdsSchema('resilience'),
  })
  .strict();

export type ResilienceScenario = z.infer<typeof resilienceScenarioSchema>;
