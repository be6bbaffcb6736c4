// `kind: fault` scenarios: each case sends one client request (from a base cassette) while the
// replay upstream misbehaves in a planned way on each upstream attempt, and states what the
// client must see, how many attempts the gateway must make, and that no upstream request is left
// open once the client is gone.
import { z } from 'zod';
import { upstreamFaultSchema } from '../../../cassette/schema.ts';
import { breakerSchema, retrySchema, routeSchema, timeoutsSchema } from '../../../gateway/config.ts';
import { providers } from '../../../providers/index.ts';

/** A route of the scenario's own, sent to a replay slot (or to a port where nothing listens). */
export const faultRouteSchema = routeSchema
  .omit({ baseUrl: true, apiKey: true })
  .extend({
    slot: z.string().min(1).optional().describe('The replay slot this route sends to (default: its provider name).'),
    refused: z.boolean().default(false).describe('Send this route to a closed port: every connection is refused.'),
  })
  .strict();

export const faultGatewaySchema = z
  .object({
    heartbeatMs: z.number().int().nonnegative().optional(),
    timeouts: timeoutsSchema
      .optional()
      .describe('Over the fault harness defaults (connect 1000, first byte 150, idle 250, total 5000 ms).'),
    retry: retrySchema
      .optional()
      .describe('Over the fault harness defaults (3 attempts, 5 ms base, 50 ms max backoff, Retry-After up to 1 s).'),
    breaker: breakerSchema.optional(),
    routes: z.array(faultRouteSchema).default([]).describe('Routes tried before the per-provider harness routes (<provider>/*).'),
  })
  .strict()
  .describe('Reference gateway settings for this scenario (with --target, configure your gateway alike).');

const attemptsSchema = z.array(upstreamFaultSchema);

export const faultClientSchema = z
  .object({
    abortAfterMs: z.number().int().nonnegative().optional().describe('Abort the request this long after sending it.'),
    abortAfterEvents: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Abort once this many SSE events arrived (0: once the headers arrived).'),
    readDelayMs: z.number().int().positive().optional().describe('A slow reader: wait this long before taking each read.'),
  })
  .strict();

export const faultExpectSchema = z
  .object({
    status: z.number().int().min(0).max(599).default(200).describe('HTTP status the client sees; 0 when it left before any.'),
    bytes: z
      .enum(['golden', 'prefix', 'none'])
      .default('golden')
      .describe(
        'golden: the body equals the golden byte for byte; prefix: what arrived before the client left is a prefix of it; none: no body byte.',
      ),
    golden: z
      .string()
      .optional()
      .describe(
        "'cassette': the base cassette's own golden (a retried stream must equal it); a path relative to this file; default goldens/<scenario file>/<case>.<mode>.<sse|json>.",
      ),
    heartbeats: z
      .boolean()
      .default(false)
      .describe('The stream must carry keep-alive comments, each between two whole events (compared with them removed).'),
    error: z
      .object({ type: z.string().optional(), message: z.string().optional(), code: z.string().nullable().optional() })
      .strict()
      .optional()
      .describe('The terminal error: the JSON body of an error status, or the last event of a stream (with no [DONE]).'),
    attempts: z
      .union([z.number().int().nonnegative(), z.record(z.string(), z.number().int().nonnegative())])
      .optional()
      .describe('Upstream requests per slot (a number: the default slot); default: as many as `attempts` lists.'),
    gateway: z
      .object({
        retries: z.number().int().nonnegative().optional(),
        fallbacks: z.number().int().nonnegative().optional(),
        rejected: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional()
      .describe("Counts read from the reference gateway's /metrics for this case (skipped with --target)."),
  })
  .strict();

export const faultCaseSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a case name is lowercase letters, digits and dashes (it names the golden file)'),
    description: z.string().optional(),
    cassette: z
      .string()
      .min(1)
      .describe('The base cassette (relative to this file): the client request, and the upstream response each attempt plays.'),
    model: z
      .string()
      .optional()
      .describe("The client's model (default <provider>/<cassette model>); name a scenario route's match to use it."),
    attempts: z
      .union([attemptsSchema, z.record(z.string(), attemptsSchema)])
      .describe('Upstream behaviour per attempt, in order: a list for the default slot, or slot → list.'),
    speed: z.number().min(0).default(0).describe('Replay speed of the cassette body: 0 = no delays, 1 = as recorded.'),
    waitBeforeMs: z.number().int().nonnegative().default(0).describe('Pause before this case (e.g. to let a breaker cool down).'),
    settleMs: z
      .number()
      .int()
      .nonnegative()
      .default(10)
      .describe('How long to keep watching the upstream after the client is done, for late attempts.'),
    client: faultClientSchema.default({}),
    expect: faultExpectSchema,
  })
  .strict();

export const faultScenarioSchema = z
  .object({
    kind: z.literal('fault'),
    name: z.string().min(1),
    description: z.string().optional(),
    modes: z
      .array(z.enum(['normalize', 'passthrough']))
      .min(1)
      .default(['normalize'])
      .describe('Reference gateway modes to run (ignored with --target).'),
    external: z
      .boolean()
      .default(false)
      .describe(
        "Also run against a --target gateway, which must then be configured with this file's retry, timeout and breaker settings (cases on this file's own routes are left out). Off: with --target the scenario runs no case.",
      ),
    gateway: faultGatewaySchema.default({ routes: [] }),
    cases: z.array(faultCaseSchema).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = [...s.gateway.routes.map((r) => r.name ?? r.match), ...providers.map((p) => `${p.name}/*`)];
    s.gateway.routes.forEach((route, i) => {
      (route.fallback ?? []).forEach((target, j) => {
        if (!names.includes(target))
          ctx.addIssue({
            code: 'custom',
            path: ['gateway', 'routes', i, 'fallback', j],
            message: `fallback ${JSON.stringify(target)} names no route (known: ${names.join(', ')})`,
          });
      });
    });
    const seen = new Set<string>();
    s.cases.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({ code: 'custom', path: ['cases', i, 'name'], message: `case name ${JSON.stringify(c.name)} is used twice` });
      seen.add(c.name);
    });
  });

export type FaultScenario = z.infer<typeof faultScenarioSchema>;
export type FaultCase = z.infer<typeof faultCaseSchema>;
export type FaultRoute = z.infer<typeof faultRouteSchema>;
