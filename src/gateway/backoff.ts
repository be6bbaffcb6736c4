// How long to wait before the next attempt: exponential backoff with jitter, unless the upstream
// said how long (Retry-After / retry-after-ms), in which case its word wins.
import type { RetryPolicy } from './policy.ts';

/**
 * The delay before attempt `attempt + 1` after `attempt` failed, or null when the upstream asked
 * for a wait longer than the policy accepts (the caller fails over instead of waiting).
 * Jitter is "equal jitter": half the exponential step fixed, half random, so retries from many
 * streams spread out while a first retry is never much later than the base delay.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | null {
  if (retryAfterMs !== undefined) return retryAfterMs > policy.maxRetryAfterMs ? null : retryAfterMs;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The wait an upstream asked for, in ms: OpenAI's `retry-after-ms` first, then `Retry-After` as
 * seconds (fractions allowed, as several providers send) or an HTTP date.
 */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = first(headers['retry-after']);
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
