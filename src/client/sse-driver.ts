// The SSE load driver: sends streaming requests over one undici Pool (sized to the load's peak
// concurrency) and keeps, for every stream, each read with the hrtime stamp taken as the read
// arrived, before any parsing. undici's dispatch handler is the lowest layer that still speaks
// HTTP: no Readable stream or promise sits between the socket read and the stamp. A read does no
// more than take its stamp and its bytes; everything else happens once the stream is over.
import { Pool, type Dispatcher } from 'undici';
import { classifyTransportError, describeError, type ErrorClass } from './error-class.ts';
import { ReadLog } from './read-log.ts';
import type { StampedRead } from './stream-analysis.ts';

export interface DriverRequest {
  /** Path (and query) on the driver's origin. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface SlowReader {
  /** Each stream reads at most this many bytes per second (pausing the socket in between). */
  bytesPerSecond: number;
}

export interface DriverOptions {
  /** http://127.0.0.1:port */
  origin: string;
  connections: number;
  headersTimeoutMs: number;
  /** Longest silence between reads before the stream is failed. */
  idleTimeoutMs: number;
  /** Longest a whole stream may take. */
  totalTimeoutMs: number;
  slowReader?: SlowReader;
}

export interface StreamOutcome {
  /** Latency origin: the request's intended start (open loop) or when it was written. */
  origin: bigint;
  headAt: bigint | null;
  endAt: bigint;
  status: number;
  reads: StampedRead[];
  /** Body bytes of all reads. */
  bytes: number;
  /** A transport failure (null when the exchange completed, whatever its status). */
  error: { class: ErrorClass; message: string } | null;
  /** Stopped on purpose when the run ended (`onEnd: cut`), not a failure. */
  cut: boolean;
}

export interface SseLoadDriver {
  send(request: DriverRequest, origin: bigint): Promise<StreamOutcome>;
  readonly inFlight: number;
  /** Streams received bytes so far (for live progress). */
  readonly bytesReceived: number;
  /** Reads so far (events are counted after the phase, when the streams are decoded). */
  readonly readsReceived: number;
  /** Streams that failed in transport or with an error status so far (for live progress). */
  readonly failures: number;
  /** Stops every open stream: `cut` marks them as ended by the run, `timeout` as failed. */
  abortAll(reason: 'cut' | 'timeout'): void;
  close(): Promise<void>;
}

/** Slow readers pause in steps of at least this long. */
const PAUSE_MS = 100;

class RunEnd extends Error {
  constructor(readonly reason: 'cut' | 'timeout') {
    super(reason === 'cut' ? 'stream cut at the end of the run' : 'stream still open when the run ended');
  }
}

export function createSseLoadDriver(options: DriverOptions): SseLoadDriver {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.idleTimeoutMs,
    keepAliveTimeout: 30_000,
    connect: { timeout: 10_000 },
  });
  const open = new Set<(reason: 'cut' | 'timeout') => void>();
  let bytesReceived = 0;
  let readsReceived = 0;
  let failures = 0;
  const rate = options.slowReader?.bytesPerSecond;

  function send(request: DriverRequest, origin: bigint): Promise<StreamOutcome> {
    return new Promise((resolve) => {
      const log = new ReadLog();
      let headAt: bigint | null = null;
      let status = 0;
      let controller: Dispatcher.DispatchController | null = null;
      let pendingAbort: Error | null = null;
      let settled = false;
      let readClock = 0; // slow reader: ms (performance.now) when the next read is allowed
      let resumeTimer: NodeJS.Timeout | undefined;

      const abort = (err: Error) => {
        if (controller) controller.abort(err);
        else pendingAbort = err;
      };
      const onRunEnd = (reason: 'cut' | 'timeout') => abort(new RunEnd(reason));
      const totalTimer = setTimeout(
        () => abort(Object.assign(new Error(`stream exceeded ${options.totalTimeoutMs} ms`), { code: 'ETIMEDOUT' })),
        options.totalTimeoutMs,
      );
      open.add(onRunEnd);

      const settle = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(totalTimer);
        clearTimeout(resumeTimer);
        open.delete(onRunEnd);
        const cut = err instanceof RunEnd && err.reason === 'cut';
        let error: StreamOutcome['error'] = null;
        if (err && !cut) {
          error =
            err instanceof RunEnd
              ? { class: 'timeout', message: err.message }
              : { class: classifyTransportError(err, headAt !== null), message: describeError(err) };
        }
        if (error || status >= 400) failures++;
        const endAt = process.hrtime.bigint();
        let reads: StampedRead[] | null = null;
        resolve({
          origin,
          headAt,
          endAt,
          status,
          // Unpacked when the stream is analysed, after the phase.
          get reads() {
            reads ??= log.reads();
            return reads;
          },
          bytes: log.bytes,
          error,
          cut,
        });
      };

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
          if (pendingAbort) c.abort(pendingAbort);
        },
        onResponseStart(_c, statusCode) {
          headAt = process.hrtime.bigint();
          status = statusCode;
        },
        onResponseData(c, chunk) {
          const at = process.hrtime.bigint(); // first: the stamp is the arrival time
          log.add(at, chunk);
          bytesReceived += chunk.length;
          readsReceived++;
          if (rate !== undefined) {
            // Token bucket: each read "costs" its bytes at the reader's rate. Pause only once
            // the debt reaches PAUSE_MS: every undici pause/resume re-reads the socket's whole
            // buffer, so pausing per (small) chunk would make the driver, not the reader, slow.
            const now = performance.now();
            readClock = Math.max(readClock, now) + (chunk.length / rate) * 1000;
            if (readClock - now >= PAUSE_MS) {
              c.pause();
              resumeTimer = setTimeout(() => c.resume(), readClock - now);
            }
          }
        },
        onResponseEnd() {
          settle(null);
        },
        onResponseError(_c, err) {
          settle(err);
        },
      };
      try {
        pool.dispatch({ path: request.path, method: 'POST', headers: request.headers, body: request.body }, handler);
      } catch (err) {
        settle(err);
      }
    });
  }

  return {
    send,
    get inFlight() {
      return open.size;
    },
    get bytesReceived() {
      return bytesReceived;
    },
    get readsReceived() {
      return readsReceived;
    },
    get failures() {
      return failures;
    },
    abortAll(reason) {
      for (const stop of [...open]) stop(reason);
    },
    async close() {
      await pool.destroy();
    },
  };
}
