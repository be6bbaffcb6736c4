// Waiting for a writer to take more: a full socket buffer drains, or the peer goes away. Used by
// every writer that respects backpressure (the gateway's client writer, the replay upstream).
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind (a slow reader waits many times). */
export function drainedOrClosed(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.resolve();
  return eitherEvent(out, 'drain', 'close');
}

/** Resolves on the first of two events, and removes both listeners. */
export function eitherEvent(emitter: EventEmitter, a: string, b: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      emitter.off(a, done);
      emitter.off(b, done);
      resolve();
    };
    emitter.on(a, done);
    emitter.on(b, done);
  });
}
