// The reference gateway's config: which client model names go to which provider route.
import { z } from 'zod';
import { InputError, loadYamlFile, type LoadedYaml } from '../input/yaml-input.ts';
import { getProvider, providerNames } from '../providers/index.ts';

export const routeSchema = z
  .object({
    match: z.string().min(1).describe('Client model name; a trailing * matches a prefix, and the rest becomes the upstream model.'),
    provider: z.string().refine((p) => getProvider(p) !== undefined, { message: `unknown provider (known: ${providerNames().join(', ')})` }),
    mode: z.enum(['normalize', 'passthrough']).default('normalize'),
    baseUrl: z.string().url().optional().describe("Defaults to the provider's public base URL."),
    apiKey: z.string().optional().describe('The upstream credential; ${ENV_VAR} is expanded.'),
    upstreamModel: z.string().optional().describe('Model name sent upstream (default: the client model, or what * matched).'),
    headers: z.record(z.string(), z.string()).default({}),
    options: z.record(z.string(), z.string()).default({}),
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
        maxLineBytes: z.number().int().positive().default(4 * 1024 * 1024),
        maxRequestBytes: z.number().int().positive().default(16 * 1024 * 1024),
      })
      .strict()
      .default({ maxLineBytes: 4 * 1024 * 1024, maxRequestBytes: 16 * 1024 * 1024 }),
    routes: z.array(routeSchema).min(1, 'at least one route is needed'),
  })
  .strict();

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Loads a gateway config file, expanding ${ENV} references (a missing variable is an error). */
export function loadGatewayConfig(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const loaded = loadYamlFile(file, gatewayConfigSchema);
  return expandEnv(loaded, env);
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
