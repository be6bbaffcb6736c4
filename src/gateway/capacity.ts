// A route's capacity limit: streams in flight at once, and a token bucket for the rate of new
// requests. A request over the limit is refused at once (and may fall back to another route):
// queueing would hide overload behind latency.
import type { CapacityPolicy } from './policy.ts';

export type CapacityRefusal = { reason: 'concurrency' | 'rate'; retryAfterMs: number };

export interface Capacity {
  /** A release function for the admitted request, or why it was refused. */
  acquire(): (() => void) | CapacityRefusal;
  readonly inFlight: number;
  snapshot(): { inFlight: number; maxConcurrent: number | null; requestsPerSecond: number | null; tokens: number | null };
}

export function createCapacity(policy: CapacityPolicy, now: () => number = () => performance.now()): Capacity {
  let inFlight = 0;
  let tokens = policy.burst;
  let refilledAt = now();

  function refill(): void {
    if (policy.requestsPerSecond <= 0) return;
    const t = now();
    tokens = Math.min(policy.burst, tokens + ((t - refilledAt) / 1000) * policy.requestsPerSecond);
    refilledAt = t;
  }

  return {
    acquire() {
      if (inFlight >= policy.maxConcurrent) return { reason: 'concurrency', retryAfterMs: 1_000 };
      if (policy.requestsPerSecond > 0) {
        refill();
        if (tokens < 1) return { reason: 'rate', retryAfterMs: Math.ceil(((1 - tokens) / policy.requestsPerSecond) * 1000) };
        tokens -= 1;
      }
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    get inFlight() {
      return inFlight;
    },
    snapshot() {
      refill();
      return {
        inFlight,
        maxConcurrent: Number.isFinite(policy.maxConcurrent) ? policy.maxConcurrent : null,
        requestsPerSecond: policy.requestsPerSecond > 0 ? policy.requestsPerSecond : null,
        tokens: policy.requestsPerSecond > 0 ? Math.floor(tokens * 100) / 100 : null,
      };
    },
  };
}
