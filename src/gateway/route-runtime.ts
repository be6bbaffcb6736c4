// What the gateway keeps per configured route while it runs: the provider, the effective policy,
// a connection pool with the route's connect timeout, the circuit breaker and the capacity limit.
import { Agent } from 'undici';
import { getProvider } from '../providers/index.ts';
import type { ProviderDescriptor, ProviderRoute } from '../providers/types.ts';
import { createBreaker, type Breaker } from './breaker.ts';
import { createCapacity, type Capacity } from './capacity.ts';
import type { GatewayConfig, RouteConfig } from './config.ts';
import type { GatewayMetrics } from './metrics.ts';
import { routePolicy, type RoutePolicy } from './policy.ts';
import { routeSecrets } from './redact.ts';

export interface RouteRuntime {
  config: RouteConfig;
  policy: RoutePolicy;
  provider: ProviderDescriptor;
  upstream: ProviderRoute;
  /** Configured secret values, redacted from anything relayed to the client. */
  secrets: readonly string[];
  dispatcher: Agent;
  breaker: Breaker;
  capacity: Capacity;
}

export function createRouteRuntimes(config: GatewayConfig, metrics: GatewayMetrics): Map<string, RouteRuntime> {
  const runtimes = new Map<string, RouteRuntime>();
  for (const route of config.routes) {
    const policy = routePolicy(config, route);
    const provider = getProvider(route.provider)!;
    runtimes.set(policy.name, {
      config: route,
      policy,
      provider,
      upstream: {
        baseUrl: (route.baseUrl ?? provider.defaultBaseUrl).replace(/\/+$/, ''),
        apiKey: route.apiKey,
        headers: route.headers,
        options: route.options,
      },
      secrets: routeSecrets(route),
      // undici's own header/body timeouts are off: the gateway's first-byte, idle and total clocks
      // decide, so every timeout reaches the client with the gateway's message. Idle upstream
      // connections live 10 s at most, whatever keep-alive the upstream offers.
      dispatcher: new Agent({
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 10_000,
        connections: null,
        pipelining: 1,
        connect: { timeout: policy.timeouts.connectMs },
        headersTimeout: 0,
        bodyTimeout: 0,
      }),
      breaker: createBreaker(policy.breaker, (state) => metrics.breaker(policy.name, state)),
      capacity: createCapacity(policy.capacity),
    });
  }
  return runtimes;
}
