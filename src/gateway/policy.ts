// A route's effective resilience settings: the built-in defaults, then the gateway-wide values,
// then the route's own. Defaults are generous (a real deployment must not cut healthy slow
// streams); harness configs set short ones.
import { routeName, type GatewayConfig, type RouteConfig } from './config.ts';

export interface Timeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
  totalMs: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  onStatus: readonly number[];
  onTimeout: boolean;
  onConnectError: boolean;
}

export interface BreakerPolicy {
  /** 0 = no breaker. */
  failureThreshold: number;
  cooldownMs: number;
}

export interface CapacityPolicy {
  /** Infinity = no limit. */
  maxConcurrent: number;
  /** 0 = no rate limit. */
  requestsPerSecond: number;
  burst: number;
}

export interface RoutePolicy {
  name: string;
  fallback: readonly string[];
  timeouts: Timeouts;
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  capacity: CapacityPolicy;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 120_000, idleMs: 120_000, totalMs: 1_800_000 };

/** One attempt unless configured: a gateway should not multiply upstream spend silently. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 1,
  baseDelayMs: 10,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 10_000,
  onStatus: [429, 500, 502, 503, 504, 529],
  onTimeout: true,
  onConnectError: true,
};

export const DEFAULT_BREAKER: BreakerPolicy = { failureThreshold: 0, cooldownMs: 30_000 };

export function routePolicy(config: Pick<GatewayConfig, 'retry' | 'breaker' | 'timeouts'>, route: RouteConfig): RoutePolicy {
  const requestsPerSecond = route.capacity?.requestsPerSecond ?? 0;
  return {
    name: routeName(route),
    fallback: route.fallback ?? [],
    timeouts: { ...DEFAULT_TIMEOUTS, ...defined(config.timeouts), ...defined(route.timeouts) },
    retry: { ...DEFAULT_RETRY, ...defined(config.retry), ...defined(route.retry) },
    breaker: { ...DEFAULT_BREAKER, ...defined(config.breaker), ...defined(route.breaker) },
    capacity: {
      maxConcurrent: route.capacity?.maxConcurrent ?? Infinity,
      requestsPerSecond,
      burst: route.capacity?.burst ?? Math.max(1, Math.ceil(requestsPerSecond)),
    },
  };
}

/** Drops undefined fields so they do not overwrite a default when spread. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
