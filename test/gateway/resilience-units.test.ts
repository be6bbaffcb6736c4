// The small pieces of the resilience layer on their own: backoff delays and Retry-After parsing,
// the circuit breaker's states, the capacity limit, and how route policies merge with defaults.
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs } from '../../src/gateway/backoff.ts';
import { createBreaker, type BreakerState } from '../../src/gateway/breaker.ts';
import { createCapacity } from '../../src/gateway/capacity.ts';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, routePolicy } from '../../src/gateway/policy.ts';
import type { RouteConfig } from '../../src/gateway/config.ts';

const retry = { ...DEFAULT_RETRY, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('backoff', () => {
  it('grows exponentially with jitter in [50%, 100%] of the step, capped', () => {
    expect(retryDelayMs(1, retry, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(1, retry, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(3, retry, undefined, () => 0)).toBe(200);
    expect(retryDelayMs(3, retry, undefined, () => 1)).toBe(400);
    expect(retryDelayMs(10, retry, undefined, () => 1)).toBe(1_000);
  });

  it("takes the upstream's word over backoff, unless it asks too much", () => {
    expect(retryDelayMs(1, retry, 2_500)).toBe(2_500);
    expect(retryDelayMs(1, retry, 0)).toBe(0);
    expect(retryDelayMs(1, retry, 5_001)).toBeNull();
  });

  it('reads retry-after-ms, Retry-After seconds (with fractions) and HTTP dates', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '120', 'retry-after': '9' })).toBe(120);
    expect(parseRetryAfter({ 'retry-after': '2' })).toBe(2_000);
    expect(parseRetryAfter({ 'retry-after': '0.05' })).toBe(50);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' }, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parseRetryAfter({})).toBeUndefined();
  });
});

describe('circuit breaker', () => {
  function setup(threshold = 3) {
    let now = 0;
    const changes: BreakerState[] = [];
    const breaker = createBreaker(
      { failureThreshold: threshold, cooldownMs: 1_000 },
      (s) => changes.push(s),
      () => now,
    );
    return { breaker, changes, advance: (ms: number) => (now += ms) };
  }

  it('opens after consecutive failures and refuses until the cooldown', () => {
    const { breaker, changes, advance } = setup();
    breaker.failure();
    breaker.failure();
    breaker.success(); // a success resets the count
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    advance(600);
    expect(breaker.snapshot()).toMatchObject({ state: 'open', retryInMs: 400 });
    expect(breaker.allow()).toBe(false);
    advance(400);
    expect(breaker.allow()).toBe(true); // the one probe
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(false); // no second probe while the first is out
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the probe fails, and frees the probe on a neutral result', () => {
    const { breaker, advance } = setup(1);
    breaker.failure();
    advance(1_000);
    expect(breaker.allow()).toBe(true);
    breaker.neutral(); // e.g. the client left: no verdict
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
  });

  it('is off with a threshold of 0', () => {
    const { breaker } = setup(0);
    for (let i = 0; i < 100; i++) breaker.failure();
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe('closed');
  });
});

describe('capacity', () => {
  it('limits streams in flight', () => {
    const capacity = createCapacity({ maxConcurrent: 2, requestsPerSecond: 0, burst: 1 });
    const a = capacity.acquire();
    const b = capacity.acquire();
    expect(typeof a).toBe('function');
    expect(capacity.acquire()).toMatchObject({ reason: 'concurrency' });
    (a as () => void)();
    (a as () => void)(); // releasing twice frees one slot only
    expect(capacity.inFlight).toBe(1);
    expect(typeof capacity.acquire()).toBe('function');
    expect(typeof b).toBe('function');
  });

  it('limits the request rate with a token bucket', () => {
    let now = 0;
    const capacity = createCapacity({ maxConcurrent: Infinity, requestsPerSecond: 2, burst: 2 }, () => now);
    expect(typeof capacity.acquire()).toBe('function');
    expect(typeof capacity.acquire()).toBe('function');
    expect(capacity.acquire()).toEqual({ reason: 'rate', retryAfterMs: 500 });
    now += 500;
    expect(typeof capacity.acquire()).toBe('function');
    expect(capacity.snapshot()).toMatchObject({ inFlight: 3, maxConcurrent: null, requestsPerSecond: 2 });
  });
});

describe('route policy', () => {
  const route: RouteConfig = { match: 'a/*', provider: 'openai', mode: 'normalize', headers: {}, options: {} };

  it('has generous timeouts and no retries, breaker or limits by default', () => {
    const p = routePolicy({}, route);
    expect(p.name).toBe('a/*');
    expect(p.timeouts).toEqual(DEFAULT_TIMEOUTS);
    expect(p.retry.maxAttempts).toBe(1);
    expect(p.breaker.failureThreshold).toBe(0);
    expect(p.capacity.maxConcurrent).toBe(Infinity);
  });

  it("merges field by field: defaults, then the gateway's, then the route's", () => {
    const p = routePolicy(
      { timeouts: { idleMs: 5_000, totalMs: 60_000 }, retry: { maxAttempts: 3 } },
      { ...route, name: 'r', timeouts: { idleMs: 1_000 }, retry: { baseDelayMs: 1 }, capacity: { requestsPerSecond: 2.5 } },
    );
    expect(p.name).toBe('r');
    expect(p.timeouts).toEqual({ ...DEFAULT_TIMEOUTS, idleMs: 1_000, totalMs: 60_000 });
    expect(p.retry).toMatchObject({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: DEFAULT_RETRY.maxDelayMs });
    expect(p.capacity).toMatchObject({ requestsPerSecond: 2.5, burst: 3 });
  });
});
