// Waiting for a writer to take more: a full socket buffer drains, or the peer goes away. Used by
// every writer that respects backpressure (the gateway's client writer, the replay upstream).
import type { Writable } from 'node:stream';

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind (a slow reader waits many times). */
export function drainedOrClosed(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
