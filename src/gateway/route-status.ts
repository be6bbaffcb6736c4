// GET /v1/routes: each route's configuration and live state (breaker, capacity), so an operator or
// a test can see why traffic goes where it goes.
import type { RouteRuntime } from './route-runtime.ts';

export function routeStatus(routes: ReadonlyMap<string, RouteRuntime>): unknown {
  return {
    object: 'list',
    data: [...routes.values()].map((r) => ({
      name: r.policy.name,
      match: r.config.match,
      provider: r.config.provider,
      mode: r.config.mode,
      fallback: r.policy.fallback,
      breaker: { ...r.breaker.snapshot(), failureThreshold: r.policy.breaker.failureThreshold, cooldownMs: r.policy.breaker.cooldownMs },
      capacity: r.capacity.snapshot(),
      retry: { maxAttempts: r.policy.retry.maxAttempts },
      timeouts: r.policy.timeouts,
    })),
  };
}
