// A circuit breaker per route: closed (traffic flows, consecutive failures counted), open (no
// traffic until the cooldown has passed), half-open (one probe attempt; its result closes or
// re-opens the circuit). Failures are attempts that say the route is unhealthy: refused or reset
// connections, timeouts, 5xx, streams cut mid-way. A 4xx or a client abort says nothing either way.
import type { BreakerPolicy } from './policy.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface Breaker {
  /** May an attempt go to this route now? In half-open, true reserves the one probe. */
  allow(): boolean;
  success(): void;
  failure(): void;
  /** An attempt ended with no verdict on the route's health (frees a half-open probe). */
  neutral(): void;
  readonly state: BreakerState;
  snapshot(): { state: BreakerState; consecutiveFailures: number; retryInMs: number | null };
}

export function createBreaker(
  policy: BreakerPolicy,
  onChange: (state: BreakerState) => void = () => undefined,
  now: () => number = () => performance.now(),
): Breaker {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;
  const enabled = policy.failureThreshold > 0;

  function set(next: BreakerState): void {
    if (next === state) return;
    state = next;
    onChange(state);
  }

  function open(): void {
    openedAt = now();
    probing = false;
    set('open');
  }

  return {
    allow() {
      if (!enabled || state === 'closed') return true;
      if (state === 'open') {
        if (now() - openedAt < policy.cooldownMs) return false;
        set('half-open');
      }
      if (probing) return false;
      probing = true;
      return true;
    },
    success() {
      failures = 0;
      probing = false;
      set('closed');
    },
    failure() {
      if (!enabled) return;
      failures++;
      if (state === 'half-open' || failures >= policy.failureThreshold) open();
    },
    neutral() {
      probing = false;
    },
    get state() {
      return state;
    },
    snapshot() {
      const retryInMs = state === 'open' ? Math.max(0, Math.ceil(openedAt + policy.cooldownMs - now())) : null;
      return { state, consecutiveFailures: failures, retryInMs };
    },
  };
}
