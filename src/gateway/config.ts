// The reference gateway's config: which client model names go to which provider route.
import { z } from 'zod';
import { loadYamlFile, type LoadedYaml } from '../base/yaml-input.ts';
import { InputError } from '../base/errors.ts';
import { getProvider, providerNames } from '../providers/index.ts';

// Resilience settings. Every field is optional at both levels (gateway-wide and per route, the
// route's own value winning); the defaults live in policy.ts, so a partial route override never
// resets the gateway-wide values.
export const timeoutsSchema = z
  .object({
    connectMs: z.number().int().positive().optional().describe('TCP connect to the upstream (default 10000).'),
    firstByteMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Upstream request sent → first body byte, headers included (default 120000).'),
    idleMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Longest silence between upstream reads once the body has started (default 120000).'),
    totalMs: z.number().int().positive().optional().describe('The whole client request, retries and fallbacks included (default 1800000).'),
  })
  .strict();

export const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(10).optional().describe('Attempts per route, the first included (default 1: no retries).'),
    baseDelayMs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Backoff before retry n is base·2^(n-1), with jitter in [50%, 100%] (default 10).'),
    maxDelayMs: z.number().int().nonnegative().optional().describe('Cap on one backoff delay (default 2000).'),
    maxRetryAfterMs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        'A Retry-After longer than this is not waited for: the route fails over (or the error is answered) at once (default 10000).',
      ),
    onStatus: z
      .array(z.number().int().min(400).max(599))
      .optional()
      .describe('Upstream statuses worth another attempt (default 429, 500, 502, 503, 504, 529).'),
    onTimeout: z.boolean().optional().describe('Retry after a connect or first-byte timeout (default true).'),
    onConnectError: z.boolean().optional().describe('Retry after a refused, reset or dropped connection before any byte (default true).'),
  })
  .strict();

export const breakerSchema = z
  .object({
    failureThreshold: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Consecutive failed attempts that open the circuit; 0 = no breaker (default 0).'),
    cooldownMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('How long an open circuit refuses traffic before one probe is let through (default 30000).'),
  })
  .strict();

export const capacitySchema = z
  .object({
    maxConcurrent: z.number().int().positive().optional().describe('Streams in flight on this route at once (default: no limit).'),
    requestsPerSecond: z.number().positive().optional().describe('Token-bucket rate of new requests (default: no limit).'),
    burst: z.number().int().positive().optional().describe('Token-bucket size (default: requestsPerSecond rounded up).'),
  })
  .strict();

export const routeSchema = z
  .object({
    name: z.string().min(1).optional().describe('The route name used by fallbacks, metrics and /v1/routes (default: match).'),
    match: z.string().min(1).describe('Client model name; a trailing * matches a prefix, and the rest becomes the upstream model.'),
    provider: z
      .string()
      .refine((p) => getProvider(p) !== undefined, { message: `unknown provider (known: ${providerNames().join(', ')})` }),
    mode: z.enum(['normalize', 'passthrough']).default('normalize'),
    baseUrl: z
      .string()
      .min(1)
      .optional()
      .describe("Defaults to the provider's public base URL; ${ENV_VAR} is expanded, then it must be an http(s) URL."),
    apiKey: z.string().optional().describe('The upstream credential; ${ENV_VAR} is expanded.'),
    upstreamModel: z.string().optional().describe('Model name sent upstream (default: the client model, or what * matched).'),
    headers: z.record(z.string(), z.string()).default({}),
    options: z.record(z.string(), z.string()).default({}),
    fallback: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Route names tried in order when this route fails before any byte reached the client (down, 5xx, 429, timeout, circuit open, at capacity).',
      ),
    retry: retrySchema.optional(),
    breaker: breakerSchema.optional(),
    timeouts: timeoutsSchema.optional(),
    capacity: capacitySchema.optional(),
  })
  .strict();

export const gatewayConfigSchema = z
  .object({
    listen: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8787) })
      .strict()
      .default({ host: '127.0.0.1', port: 8787 }),
    deterministic: z
      .object({ created: z.number().int().nonnegative().describe('Fixed `created` (unix seconds) for chunks the gateway invents.') })
      .strict()
      .optional()
      .describe('Fixed clock and request-derived ids, so outputs are byte-reproducible.'),
    heartbeatMs: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('Write an SSE comment (`: keep-alive`) after this many ms without output; 0 = never.'),
    limits: z
      .object({
        maxLineBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024),
        maxEventBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024)
          .describe(
            'Bytes the gateway buffers for one unfinished upstream SSE event, per stream; past it the stream ends with an error event.',
          ),
        maxRequestBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024),
        bodyReadMs: z
          .number()
          .int()
          .positive()
          .default(10_000)
          .describe('How long a client may take to send its request body; a stalled or short body is answered 408.'),
      })
      .strict()
      .default({ maxLineBytes: 4 * 1024 * 1024, maxEventBytes: 16 * 1024 * 1024, maxRequestBytes: 16 * 1024 * 1024, bodyReadMs: 10_000 }),
    retry: retrySchema.optional().describe('Retry policy for every route (a route may override any field).'),
    breaker: breakerSchema.optional().describe('Circuit breaker for every route (a route may override any field).'),
    timeouts: timeoutsSchema.optional().describe('Timeouts for every route (a route may override any field).'),
    metrics: z
      .object({ process: z.boolean().default(false).describe('Also export process metrics (RSS, heap, event-loop lag) on /metrics.') })
      .strict()
      .optional(),
    routes: z.array(routeSchema).min(1, 'at least one route is needed'),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Cross-route checks the per-field schema cannot make: unique names, fallbacks that exist.
    const names = config.routes.map(routeName);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, config.routes[i]!.name ? 'name' : 'match'],
          message: `route name ${JSON.stringify(name)} is used twice (set a unique name)`,
        });
    });
    config.routes.forEach((route, i) => {
      (route.fallback ?? []).forEach((target, j) => {
        const path = ['routes', i, 'fallback', j];
        if (!names.includes(target))
          ctx.addIssue({ code: 'custom', path, message: `fallback ${JSON.stringify(target)} names no route (known: ${names.join(', ')})` });
        else if (target === names[i]) ctx.addIssue({ code: 'custom', path, message: `a route cannot fall back to itself` });
      });
    });
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Loads a gateway config file, expanding ${ENV} references (a missing variable is an error), then
 * checks each route as it will run: its base URL, its mode and the options its provider needs.
 */
export async function loadGatewayConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<GatewayConfig> {
  const loaded = loadYamlFile(file, gatewayConfigSchema);
  const config = expandEnv(loaded, env);
  await checkRoutes(config, loaded);
  return config;
}

/** A sample request each route must be able to build at start-up (missing options show here, not on the first request). */
const SAMPLE_REQUEST = { model: 'streamproof-config-check', messages: [{ role: 'user', content: 'hello' }], stream: true };

async function checkRoutes(config: GatewayConfig, loaded: LoadedYaml<GatewayConfig>): Promise<void> {
  for (const [i, route] of config.routes.entries()) {
    const provider = getProvider(route.provider)!;
    const where = (key: string) => loaded.lineOf(['routes', i, key]) ?? loaded.lineOf(['routes', i]);
    if (route.baseUrl !== undefined && !/^https?:\/\/[^/]/.test(route.baseUrl)) {
      throw new InputError(loaded.file, where('baseUrl'), `routes[${i}].baseUrl: ${JSON.stringify(route.baseUrl)} is not an http(s) URL`);
    }
    if (route.mode === 'passthrough' && !provider.supportsPassthrough) {
      throw new InputError(
        loaded.file,
        where('mode'),
        `routes[${i}].mode: ${route.provider} cannot run in passthrough (its upstream does not stream OpenAI chat chunks); use normalize`,
      );
    }
    const upstream = {
      baseUrl: (route.baseUrl ?? provider.defaultBaseUrl).replace(/\/+$/, ''),
      apiKey: route.apiKey,
      headers: route.headers,
      options: route.options,
    };
    try {
      await provider.buildRequest({ ...SAMPLE_REQUEST }, upstream);
    } catch (err) {
      throw new InputError(loaded.file, where('options'), `routes[${i}] (${route.provider}): ${(err as Error).message}`);
    }
  }
}

function expandEnv(loaded: LoadedYaml<GatewayConfig>, env: NodeJS.ProcessEnv): GatewayConfig {
  const config = loaded.value;
  const expand = (value: string, path: (string | number)[]): string =>
    value.replace(ENV_REF, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new InputError(loaded.file, loaded.lineOf(path), `environment variable ${name} is not set`);
      return v;
    });
  config.routes.forEach((route, i) => {
    if (route.apiKey !== undefined) route.apiKey = expand(route.apiKey, ['routes', i, 'apiKey']);
    if (route.baseUrl !== undefined) route.baseUrl = expand(route.baseUrl, ['routes', i, 'baseUrl']);
    for (const key of Object.keys(route.headers)) route.headers[key] = expand(route.headers[key]!, ['routes', i, 'headers', key]);
    for (const key of Object.keys(route.options)) route.options[key] = expand(route.options[key]!, ['routes', i, 'options', key]);
  });
  return config;
}

/** A route's name: its own, or its match pattern. */
export function routeName(route: Pick<RouteConfig, 'name' | 'match'>): string {
  return route.name ?? route.match;
}

export interface ResolvedRoute {
  route: RouteConfig;
  upstreamModel: string;
}

export function resolveRoute(routes: readonly RouteConfig[], model: string): ResolvedRoute | null {
  for (const route of routes) {
    if (route.match.endsWith('*')) {
      const prefix = route.match.slice(0, -1);
      if (model.startsWith(prefix) && model.length > prefix.length) {
        return { route, upstreamModel: route.upstreamModel ?? model.slice(prefix.length) };
      }
    } else if (route.match === model) {
      return { route, upstreamModel: route.upstreamModel ?? model };
    }
  }
  return null;
}
