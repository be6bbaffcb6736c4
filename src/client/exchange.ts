// The single-exchange client: one POST to the target, keeping everything that comes back (status,
// headers, every read's bytes with an hrtime stamp taken as it arrives, before anything looks at
// it). It can behave like the clients that break gateways: leave after a time or after N events,
// or read slowly so the socket fills up. Nothing waits forever and nothing grows without bound.
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { createSseParser, type SseParser } from '../sse/parser.ts';

export interface CapturedRead {
  at: bigint;
  bytes: Buffer;
}

export interface ExchangeOptions {
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  /** Gives up (and says so) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Gives up (and says so) when no response headers arrived within this long. Default: timeoutMs. */
  headersTimeoutMs?: number;
  /** Stops reading (and says so) once the body passes this many bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Leave on purpose this long after sending. */
  abortAfterMs?: number;
  /** Leave on purpose after this many complete SSE events (0: as soon as the headers arrive). */
  abortAfterEvents?: number;
  /** A slow reader: waits this long before pulling each read, so the socket fills up meanwhile. */
  readDelayMs?: number;
}

export interface Exchange {
  /** 0 when no response headers arrived. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  reads: CapturedRead[];
  body: Buffer;
  startedAt: bigint;
  endedAt: bigint;
  /** The client left on purpose (abortAfterMs / abortAfterEvents). */
  aborted: boolean;
  /** A failure the client did not cause: a cut connection, no answer in time, a body too large (the bytes up to then are kept). */
  error?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function sendExchange(url: string, body: unknown, options: ExchangeOptions = {}): Promise<Exchange> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const startedAt = process.hrtime.bigint();
  const controller = new AbortController();
  let aborted = false;
  let timedOut: string | null = null;
  const leave = () => {
    aborted = true;
    controller.abort();
  };
  const leaveTimer = options.abortAfterMs !== undefined ? setTimeout(leave, options.abortAfterMs) : undefined;
  const deadline = setTimeout(() => {
    timedOut = `no complete response within ${timeoutMs} ms`;
    controller.abort();
  }, timeoutMs);
  const headersTimeoutMs = options.headersTimeoutMs;
  const headersDeadline =
    headersTimeoutMs !== undefined && headersTimeoutMs < timeoutMs
      ? setTimeout(() => {
          timedOut = `no response headers within ${headersTimeoutMs} ms`;
          controller.abort();
        }, headersTimeoutMs)
      : undefined;

  const { abortAfterEvents } = options;
  let events = 0;
  // Events are counted only for a client that leaves after N of them.
  const parser: SseParser | null = abortAfterEvents !== undefined ? createSseParser({ onEvent: () => void events++ }) : null;
  const reads: CapturedRead[] = [];
  let received = 0;
  let status = 0;
  let headers: Exchange['headers'] = {};
  let error: string | undefined;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: controller.signal,
      dispatcher: options.dispatcher,
    });
    clearTimeout(headersDeadline);
    status = res.statusCode;
    headers = res.headers;
    if (abortAfterEvents === 0) leave();
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const at = process.hrtime.bigint();
      // A slow reader: while it sleeps, nothing more is pulled and the socket fills up.
      if (options.readDelayMs !== undefined) await sleep(options.readDelayMs);
      reads.push({ at, bytes: chunk });
      received += chunk.length;
      if (received > maxBodyBytes) {
        error = `the response body passed ${maxBodyBytes} bytes; stopped reading`;
        controller.abort();
        break;
      }
      if (parser) {
        parser.feed(chunk);
        if (events >= abortAfterEvents!) {
          leave();
          break;
        }
      }
    }
  } catch (err) {
    if (!aborted && error === undefined) error = timedOut ?? describe(err);
  } finally {
    clearTimeout(leaveTimer);
    clearTimeout(deadline);
    clearTimeout(headersDeadline);
  }
  const bodyBytes = Buffer.concat(
    reads.map((r) => r.bytes),
    received,
  );
  return { status, headers, reads, body: bodyBytes, startedAt, endedAt: process.hrtime.bigint(), aborted, error };
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.code ?? e.message ?? String(err);
}
