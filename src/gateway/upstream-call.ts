// One upstream attempt's abort switch and clocks. The first-byte timer runs from the request until
// the first body byte; then the idle timer runs between reads (paused while the gateway waits on a
// slow client, since then it is not reading). A timer that fires aborts the upstream request with
// a reason the gateway can tell apart from a network error.
//
// A read only stamps the time: the idle timer is never refreshed per read (that cost a timer-list
// update per event per stream). When it fires it looks at the stamp and, if a read came since,
// sleeps again for what is left, so it still fires idleMs after the last read.
import type { TimeoutPhase } from './errors.ts';
import type { Timeouts } from './policy.ts';

/** The reason a gateway-initiated abort carries (undici rethrows it as-is from the request or body). */
export type CallAbort = { gateway: 'timeout'; phase: TimeoutPhase; ms: number } | { gateway: 'client_gone' } | { gateway: 'discard' };

export interface UpstreamCall {
  readonly signal: AbortSignal;
  /** Set once the gateway aborted this call, with why. */
  readonly aborted: CallAbort | null;
  /** The first body byte arrived: the idle clock takes over from the first-byte clock. */
  started(): void;
  /** A read arrived: the idle clock starts again. */
  touch(): void;
  /** The gateway stops reading (a slow client): upstream silence is not the upstream's fault. */
  pause(): void;
  resume(): void;
  abort(reason: CallAbort): void;
  /** Clears every timer; the call is over. */
  dispose(): void;
}

export function startUpstreamCall(timeouts: Timeouts): UpstreamCall {
  const controller = new AbortController();
  let aborted: CallAbort | null = null;
  let idle: NodeJS.Timeout | undefined;
  let paused = false;
  let lastRead = 0; // performance.now() of the last read (or of the idle clock's start)
  const onIdle = () => {
    const left = timeouts.idleMs - (performance.now() - lastRead);
    // Timers fire on a millisecond clock: less than 1 ms left is due now.
    if (left >= 1) idle = setTimeout(onIdle, left);
    else abort({ gateway: 'timeout', phase: 'idle', ms: timeouts.idleMs });
  };
  const armIdle = () => {
    lastRead = performance.now();
    return setTimeout(onIdle, timeouts.idleMs);
  };
  let firstByte: NodeJS.Timeout | undefined = setTimeout(
    () => abort({ gateway: 'timeout', phase: 'first_byte', ms: timeouts.firstByteMs }),
    timeouts.firstByteMs,
  );

  function abort(reason: CallAbort): void {
    if (aborted) return;
    aborted = reason;
    clear();
    controller.abort(reason);
  }

  function clear(): void {
    clearTimeout(firstByte);
    clearTimeout(idle);
    firstByte = undefined;
    idle = undefined;
  }

  return {
    signal: controller.signal,
    get aborted() {
      return aborted;
    },
    started() {
      if (aborted || idle) return;
      clearTimeout(firstByte);
      firstByte = undefined;
      idle = armIdle();
    },
    touch() {
      if (!paused) lastRead = performance.now();
    },
    pause() {
      if (!idle || paused) return;
      paused = true;
      clearTimeout(idle);
    },
    resume() {
      if (!paused) return;
      paused = false;
      // A cleared timer cannot be refreshed: the idle clock starts again from now.
      if (!aborted) idle = armIdle();
    },
    abort,
    dispose: clear,
  };
}
