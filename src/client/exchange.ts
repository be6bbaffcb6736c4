// The single-exchange client: one POST to the target, keeping everything that comes back (status,
// headers, every read's bytes with an hrtime stamp taken as it arrives, before anything looks at
// it). It can behave like the clients that break gateways: leave after a time or after N events,
// or read slowly so the socket fills up. Nothing waits forever and nothing grows without bound.
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { createSseParser, SseEventTooLargeError, SseLineTooLongError, type SseParser } from '../sse/parser.ts';

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
  /** The client stopped reading at one of its bounds (body size, SSE line, SSE event): `body` is what it kept, cut by the client, not by the target. */
  bodyCapped?: true;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Sends one request and captures the answer. Credentials the request carried (header values such
 * as `authorization`) are masked in what it returns, should the target echo them.
 */
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
  // An event stream is parsed as it comes: for a client that leaves after N events, and so that a
  // line or an event past the parser's bounds stops the reading at once, named.
  let parser: SseParser | null = null;
  // Each read's time and place in the body; the reads are views into the body once it is complete.
  const marks: { at: bigint; offset: number; length: number }[] = [];
  const store = bodyStore(maxBodyBytes);
  let received = 0;
  let bodyCapped = false;
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
    if (abortAfterEvents !== undefined || String(res.headers['content-type'] ?? '').includes('text/event-stream'))
      parser = createSseParser({ onEvent: () => void events++ });
    if (abortAfterEvents === 0) leave();
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const at = process.hrtime.bigint();
      // A slow reader: while it sleeps, nothing more is pulled and the socket fills up.
      if (options.readDelayMs !== undefined) await sleep(options.readDelayMs);
      const kept = chunk.subarray(0, maxBodyBytes - received);
      store.write(kept);
      marks.push({ at, offset: received, length: kept.length });
      received += kept.length;
      const stop = kept.length < chunk.length ? `the response body passed ${maxBodyBytes} bytes; stopped reading` : guard(parser, kept);
      if (stop !== null) {
        error = stop;
        bodyCapped = true;
        controller.abort();
        break;
      }
      if (abortAfterEvents !== undefined && events >= abortAfterEvents) {
        leave();
        break;
      }
    }
  } catch (err) {
    if (!aborted && error === undefined) error = timedOut ?? describe(err);
  } finally {
    clearTimeout(leaveTimer);
    clearTimeout(deadline);
    clearTimeout(headersDeadline);
  }
  const bodyBytes = store.body();
  const reads: CapturedRead[] = marks.map((m) => ({ at: m.at, bytes: bodyBytes.subarray(m.offset, m.offset + m.length) }));
  // A target that echoes the credentials it was sent must not put them in a report.
  const secrets = sentSecrets(options.headers ?? {});
  maskInPlace(bodyBytes, secrets);
  for (const [name, value] of Object.entries(headers)) headers[name] = maskHeader(value, secrets);
  return {
    status,
    headers,
    reads,
    body: bodyBytes,
    startedAt,
    endedAt: process.hrtime.bigint(),
    aborted,
    error,
    ...(bodyCapped ? { bodyCapped } : {}),
  };
}

/**
 * The body, kept once. Small bodies grow by doubling; past 1 MiB the store jumps to the cap,
 * which costs address space rather than memory (pages become resident only as they are
 * written), so a body at the cap is held once, never as reads plus a concatenated copy.
 */
function bodyStore(cap: number) {
  const SMALL = 1024 * 1024;
  let buf = Buffer.alloc(0);
  let length = 0;
  return {
    write(chunk: Buffer): void {
      const needed = length + chunk.length;
      if (needed > buf.length) {
        const size = needed > SMALL ? cap : Math.min(cap, Math.max(needed, buf.length * 2, 16 * 1024));
        const next = size > SMALL ? Buffer.allocUnsafeSlow(size) : Buffer.alloc(size);
        buf.copy(next, 0, 0, length);
        buf = next;
      }
      chunk.copy(buf, length);
      length = needed;
    },
    /** The bytes written: a right-sized copy when small, else a view (no second copy). */
    body(): Buffer {
      return length <= SMALL ? Buffer.from(buf.subarray(0, length)) : buf.subarray(0, length);
    },
  };
}

/** Feeds the stream's parser; a line or an event past its bounds is the reason to stop reading. */
function guard(parser: SseParser | null, bytes: Buffer): string | null {
  try {
    parser?.feed(bytes);
    return null;
  } catch (err) {
    if (err instanceof SseEventTooLargeError)
      return `the target sent more than ${err.limit} bytes of data without ending an SSE event; stopped reading`;
    if (err instanceof SseLineTooLongError) return `the target sent an SSE line longer than ${err.limit} bytes; stopped reading`;
    throw err;
  }
}

/** What undici's codes mean, for the one line a failed case shows. */
const TRANSPORT_ERRORS: Record<string, string> = {
  ECONNRESET: 'the target reset the connection (ECONNRESET)',
  ECONNREFUSED: 'the target refused the connection (ECONNREFUSED)',
  UND_ERR_SOCKET: 'the target closed the connection (UND_ERR_SOCKET)',
};

function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'HTTPParserError') return `the target's answer is not HTTP: ${e.message}`;
  const code = e.cause?.code ?? e.code;
  if (code !== undefined) return TRANSPORT_ERRORS[code] ?? code;
  return e.message ?? String(err);
}

/** Request header names whose values are credentials. */
const SECRET_HEADER = /auth|key|token|secret|cookie|session|password/i;
/** Shorter values are not masked: they would hit ordinary text. */
const MIN_SECRET_LENGTH = 8;

/** The credential values sent: each whole value, and the token after a scheme ("Bearer sk-…"). */
export function sentSecrets(headers: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    for (const v of [value, value.replace(/^\S+\s+/, '')]) if (v.length >= MIN_SECRET_LENGTH) out.add(v);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** "[redacted]" padded with '*' to the secret's own length, so the reads' boundaries stay where they were. */
function mask(length: number): string {
  return '[redacted]'.padEnd(length, '*').slice(0, length);
}

function maskInPlace(body: Buffer, secrets: readonly string[]): void {
  for (const secret of secrets) {
    const needle = Buffer.from(secret);
    for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at + needle.length))
      body.write(mask(needle.length), at, 'latin1');
  }
}

function maskHeader(value: string | string[] | undefined, secrets: readonly string[]): string | string[] | undefined {
  const one = (v: string) => secrets.reduce((text, secret) => text.replaceAll(secret, mask(secret.length)), v);
  return value === undefined ? value : Array.isArray(value) ? value.map(one) : one(value);
}
