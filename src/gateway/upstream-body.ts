// An upstream request sent through undici's dispatch-handler API, and its response body as a push
// source: each read of the upstream socket is handed to one sink call, synchronously, with no
// Readable, no async iterator and no promise per read (that machinery was a large share of the
// gateway's CPU per event). The paths that are not per-event hot (the first read, error bodies,
// JSON answers, aggregation) read the same body as an async iterator instead.
import type { Dispatcher } from 'undici';

/** Where a body's reads go once a streamer takes it over. Exactly one of end or error is called, once. */
export interface BodySink {
  data(chunk: Buffer): void;
  end(): void;
  error(err: unknown): void;
}

/** A response body a streamer can take over (`attach`) after reading its first chunk with `next`. */
export interface BodySource extends AsyncIterator<Buffer> {
  /** Hands every later read (and those already queued) to `sink`, until end or error. */
  attach(sink: BodySink): void;
  /** No more reads until resume (a slow client). */
  pause(): void;
  resume(): void;
}

export interface UpstreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

export interface UpstreamRequestOptions {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** Reads queued before a sink or reader takes them beyond this many bytes pause the upstream socket. */
const QUEUE_LIMIT = 64 * 1024;

type Controller = Dispatcher.DispatchController;
const DONE: IteratorResult<Buffer> = { done: true, value: undefined };

/**
 * Sends one request; resolves with the status, headers and body once the response starts, rejects
 * when it fails before that. An abort of `signal` aborts the request (or its body) with the signal's
 * reason, as undici's `request` does.
 */
export function sendUpstream(dispatcher: Dispatcher, url: string, options: UpstreamRequestOptions): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const target = new URL(url);
    const body = new UpstreamBody();
    let controller: Controller | null = null;
    let started = false;
    let pendingAbort: { reason: unknown } | null = null;
    const onAbort = () => {
      if (controller) controller.abort(signal.reason as Error);
      else pendingAbort = { reason: signal.reason };
    };
    const done = () => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        body.controller = c;
        if (pendingAbort) c.abort(pendingAbort.reason as Error);
      },
      onResponseStart(_c, statusCode, headers) {
        started = true;
        resolve({ statusCode, headers: headers as UpstreamResponse['headers'], body });
      },
      onResponseData(_c, chunk) {
        body.push(chunk);
      },
      onResponseEnd() {
        done();
        body.finish();
      },
      onResponseError(_c, err) {
        done();
        if (started) body.fail(err);
        else reject(err);
      },
    };
    const path = target.search ? `${target.pathname}${target.search}` : target.pathname;
    dispatcher.dispatch(
      { origin: target.origin, path, method: options.method as Dispatcher.HttpMethod, headers: options.headers, body: options.body },
      handler,
    );
  });
}

// A class rather than closures: one body per open stream, so the methods live on the prototype.
export class UpstreamBody implements BodySource, AsyncIterable<Buffer> {
  controller: Controller | null = null;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: { err: unknown } | null = null;
  private sink: BodySink | null = null;
  private settled = false; // the sink got its end or error
  private paused = false; // paused by the consumer (a slow client)
  private waiter: { resolve: (r: IteratorResult<Buffer>) => void; reject: (err: unknown) => void } | null = null;

  /** A read from undici. */
  push(chunk: Buffer): void {
    if (this.sink !== null && !this.paused && this.queue.length === 0) {
      this.deliver(chunk);
      return;
    }
    const waiter = this.waiter;
    if (waiter !== null && this.queue.length === 0) {
      this.waiter = null;
      waiter.resolve({ done: false, value: chunk });
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > QUEUE_LIMIT) this.controller?.pause();
  }

  finish(): void {
    this.ended = true;
    this.flush();
  }

  fail(err: unknown): void {
    if (this.failure === null) this.failure = { err };
    this.flush();
  }

  attach(sink: BodySink): void {
    this.sink = sink;
    this.flush();
  }

  pause(): void {
    this.paused = true;
    this.controller?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flush();
    if (!this.paused && this.queuedBytes <= QUEUE_LIMIT) this.controller?.resume();
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      this.queuedBytes -= chunk.length;
      if (this.queuedBytes <= QUEUE_LIMIT && !this.paused) this.controller?.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.failure !== null) return Promise.reject(this.failure.err);
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }

  /** Hands queued reads to the sink (or a waiting reader), then the end or failure once nothing is queued. */
  private flush(): void {
    if (this.sink !== null) {
      while (this.queue.length > 0 && !this.paused && !this.settled) {
        const chunk = this.queue.shift()!;
        this.queuedBytes -= chunk.length;
        this.deliver(chunk);
      }
      if (this.queue.length > 0 || this.settled) return;
      if (this.failure !== null) this.settle().error(this.failure.err);
      else if (this.ended) this.settle().end();
      return;
    }
    const waiter = this.waiter;
    if (waiter === null || this.queue.length > 0) return;
    if (this.failure !== null) {
      this.waiter = null;
      waiter.reject(this.failure.err);
    } else if (this.ended) {
      this.waiter = null;
      waiter.resolve(DONE);
    }
  }

  private settle(): BodySink {
    this.settled = true;
    return this.sink!;
  }

  /** One read to the sink; a sink that throws fails the body (and the request, if still open). */
  private deliver(chunk: Buffer): void {
    if (this.settled) return;
    try {
      this.sink!.data(chunk);
    } catch (err) {
      this.failure ??= { err };
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.settle().error(err);
      this.controller?.abort(err as Error);
    }
  }
}

/**
 * An async iterator (a body that arrived after the client stream opened) as a BodySource: a pump
 * reads it while not paused. Only synthesised streams use it, whose bodies come in one piece.
 */
export function iteratorSource(iterator: AsyncIterator<Buffer>): BodySource {
  let sink: BodySink | null = null;
  let paused = false;
  let pumping = false;
  let settled = false;
  const pump = async () => {
    pumping = true;
    try {
      while (!paused && !settled) {
        const read = await iterator.next();
        if (read.done) {
          settled = true;
          sink!.end();
        } else sink!.data(read.value);
      }
    } catch (err) {
      if (!settled) {
        settled = true;
        sink!.error(err);
      }
    } finally {
      pumping = false;
    }
  };
  return {
    next: () => iterator.next(),
    attach(s) {
      sink = s;
      void pump();
    },
    pause() {
      paused = true;
    },
    resume() {
      if (!paused) return;
      paused = false;
      if (!pumping) void pump();
    },
  };
}
