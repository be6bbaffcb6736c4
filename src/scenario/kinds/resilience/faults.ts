// What each client of a resilience run does, and what the upstream does on each of its attempts.
import type { UpstreamFault } from '../../../cassette/schema.ts';
import type { ClientBehaviour } from './client.ts';

export type Expected = 'golden' | 'error' | 'aborted';

export interface FaultKind {
  /** As reports show it. */
  name: string;
  /** For measurement names: recovery_<slug>_p99_ms. */
  slug: string;
  /** Upstream behaviour per attempt (attempts past the list play the cassette as recorded). */
  attempts: UpstreamFault[];
  client?: ClientBehaviour;
  /** Send the client to the `down/*` route (a closed port) that falls back to the provider. */
  down?: boolean;
  /** What the client must end with. */
  expect: Expected;
}

export const CLEAN: FaultKind = { name: 'none', slug: 'none', attempts: [], expect: 'golden' };

/** First attempts that fail in every way a retry can recover from; the second attempt plays clean. */
export function firstAttemptFailures(stallMs: number): FaultKind[] {
  const status = (code: number): FaultKind => ({
    name: String(code),
    slug: `status_${code}`,
    attempts: [{ fault: 'status', status: code }],
    expect: 'golden',
  });
  return [
    status(500),
    status(502),
    status(503),
    status(429),
    { name: 'dropped before headers', slug: 'drop_before_headers', attempts: [{ fault: 'drop-before-headers' }], expect: 'golden' },
    {
      name: 'reset before first event',
      slug: 'reset_before_first_event',
      attempts: [{ fault: 'reset-mid-stream', afterChunk: 0 }],
      expect: 'golden',
    },
    {
      name: 'stall before headers',
      slug: 'stall_before_headers',
      attempts: [{ fault: 'stall-before-headers', ms: stallMs }],
      expect: 'golden',
    },
    {
      name: 'stall after headers',
      slug: 'stall_after_headers',
      attempts: [{ fault: 'stall-after-headers', ms: stallMs }],
      expect: 'golden',
    },
  ];
}

/** Upstream attempts past any gateway's retries (the config allows 10 per route). */
const EVERY_ATTEMPT = 10;
const always = (fault: UpstreamFault): UpstreamFault[] => Array.from({ length: EVERY_ATTEMPT }, () => fault);

/**
 * Every fault of the soak: the recoverable first attempts, then fatal ones, fallbacks, slow
 * readers and clients that leave. Mid-stream faults strike after `mid` reads of a cassette of
 * `reads` reads ("hang before [DONE]": all but the last), on every attempt: a gateway that gives
 * up on a slow first attempt before the fault point (a loaded machine's first-byte timeout) and
 * retries meets the same fault again, so the error the client must end with does not depend on
 * the machine's load.
 */
export function soakFaults(reads: number, stallMs: number): FaultKind[] {
  const mid = Math.min(3, reads - 2);
  const last = reads - 1;
  return [
    ...firstAttemptFailures(stallMs),
    {
      name: '429 Retry-After 20 ms',
      slug: 'status_429_retry_after',
      attempts: [{ fault: 'status', status: 429, retryAfterMs: 20 }],
      expect: 'golden',
    },
    {
      name: '503 on every attempt',
      slug: 'status_503_always',
      attempts: always({ fault: 'status', status: 503 }),
      expect: 'error',
    },
    { name: 'refused, fallback', slug: 'refused_fallback', attempts: [], down: true, expect: 'golden' },
    {
      name: 'stall mid-stream',
      slug: 'stall_mid_stream',
      attempts: always({ fault: 'stall-mid-stream', afterChunk: mid, ms: stallMs }),
      expect: 'error',
    },
    {
      name: 'reset mid-stream',
      slug: 'reset_mid_stream',
      attempts: always({ fault: 'reset-mid-stream', afterChunk: mid }),
      expect: 'error',
    },
    {
      name: 'in-band error',
      slug: 'error_event',
      attempts: always({ fault: 'error-event', afterChunk: mid, message: 'The server is overloaded.', type: 'server_error', code: null }),
      expect: 'error',
    },
    { name: 'EOF without [DONE]', slug: 'eof_mid_stream', attempts: always({ fault: 'eof-mid-stream', afterChunk: mid }), expect: 'error' },
    {
      name: 'hang before [DONE]',
      slug: 'hang_before_done',
      attempts: always({ fault: 'hang-mid-stream', afterChunk: last }),
      expect: 'error',
    },
    { name: 'slow client reader', slug: 'slow_reader', attempts: [], client: { readDelayMs: 20 }, expect: 'golden' },
    {
      name: 'client abort before headers',
      slug: 'abort_before_headers',
      attempts: [{ fault: 'stall-before-headers', ms: stallMs }],
      client: { abortAfterMs: 50 },
      expect: 'aborted',
    },
    {
      name: 'client abort before first token',
      slug: 'abort_before_first_token',
      attempts: [{ fault: 'stall-after-headers', ms: stallMs }],
      client: { abortAfterMs: 50 },
      expect: 'aborted',
    },
    {
      name: 'client abort mid-stream',
      slug: 'abort_mid_stream',
      attempts: [{ fault: 'hang-mid-stream', afterChunk: Math.min(2, mid) }],
      client: { abortAfterEvents: 1 },
      expect: 'aborted',
    },
  ];
}
