// The one writer of a client response. It commits the response (status 200 and headers) only
// with the first bytes it writes, so until then the gateway may still retry, fall back or answer
// with an error status. Heartbeats go through it too, and only between writes: everything written
// is whole events, so a heartbeat can never land inside one. A slow client makes `write` wait for
// the socket to drain instead of buffering without bound. A write only stamps the time (no timer
// refresh per write); the heartbeat timer, when it fires early, sleeps again for what is left.
import type { ServerResponse } from 'node:http';
import { encodeSseComment } from '../sse/encoder.ts';
import { drainedOrClosed } from '../base/drained.ts';

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

export const HEARTBEAT = encodeSseComment('keep-alive');

export interface ClientWriter {
  readonly committed: boolean;
  /** Writes bytes (committing the response first if needed); waits while the client is slow. */
  write(out: string | Buffer, reading?: { pause(): void; resume(): void }): Promise<void>;
  /**
   * Writes bytes now, in one write (committing first if needed). False: the client is slow, so the
   * caller stops reading until `drained()` settles.
   */
  send(out: string | Buffer): boolean;
  /** Settles once the client took what was queued (or went away). */
  drained(): Promise<void>;
  /** Writes the last bytes and ends the response. */
  end(out?: string | Buffer): void;
  /** Stops the heartbeat clock (the response is over, one way or another). */
  dispose(): void;
}

export interface ClientWriterOptions {
  headers: Record<string, string>;
  /** SSE keep-alive comment after this long without output (0 = never). */
  heartbeatMs: number;
  onCommit?: () => void;
  onHeartbeat?: () => void;
}

export function createClientWriter(res: ServerResponse, options: ClientWriterOptions): ClientWriter {
  let committed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let lastWrite = 0; // performance.now() of the last write, when heartbeats are on
  // A write that ends with CR may be followed upstream by the LF of the same line break; a comment
  // between them would turn one blank line into two. Rare, but skipping that beat costs nothing.
  let endsWithCR = false;

  function commit(): void {
    if (committed) return;
    committed = true;
    res.writeHead(200, options.headers);
    res.flushHeaders();
    options.onCommit?.();
    if (options.heartbeatMs > 0) {
      lastWrite = performance.now();
      heartbeat = setTimeout(beat, options.heartbeatMs);
    }
  }

  function beat(): void {
    if (res.writableEnded || res.destroyed) return;
    const left = options.heartbeatMs - (performance.now() - lastWrite);
    if (left >= 1) {
      heartbeat = setTimeout(beat, left);
      return;
    }
    if (!endsWithCR && !res.writableNeedDrain) {
      res.write(HEARTBEAT);
      options.onHeartbeat?.();
    }
    lastWrite = performance.now();
    heartbeat = setTimeout(beat, options.heartbeatMs);
  }

  function send(out: string | Buffer): boolean {
    if (out.length === 0) return true;
    commit();
    if (heartbeat !== undefined) lastWrite = performance.now();
    endsWithCR = lastByteIsCR(out);
    return res.write(out);
  }

  return {
    get committed() {
      return committed;
    },
    async write(out, reading) {
      if (send(out)) return;
      reading?.pause();
      await drainedOrClosed(res);
      reading?.resume();
    },
    send,
    drained: () => drainedOrClosed(res),
    end(out) {
      clearTimeout(heartbeat);
      if (res.writableEnded || res.destroyed) return;
      commit();
      res.end(out);
    },
    dispose() {
      clearTimeout(heartbeat);
    },
  };
}

function lastByteIsCR(out: string | Buffer): boolean {
  return typeof out === 'string' ? out.charCodeAt(out.length - 1) === 13 : out[out.length - 1] === 13;
}
