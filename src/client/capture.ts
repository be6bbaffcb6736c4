// Sends one client request and keeps everything that comes back: status, headers, every read's
// bytes, and an hrtime stamp taken as each read arrives (before anything looks at it).
import { request, type Dispatcher } from 'undici';

export interface CapturedRead {
  at: bigint;
  bytes: Buffer;
}

export interface CapturedExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  reads: CapturedRead[];
  body: Buffer;
  startedAt: bigint;
  endedAt: bigint;
  /** Set when the connection failed or the body was cut (the bytes up to then are kept). */
  error?: string;
}

export interface CaptureOptions {
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  /** Gives up (and says so) after this long; nothing waits forever. */
  timeoutMs?: number;
}

export async function captureExchange(url: string, body: unknown, options: CaptureOptions = {}): Promise<CapturedExchange> {
  const startedAt = process.hrtime.bigint();
  const reads: CapturedRead[] = [];
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  let status = 0;
  let headers: CapturedExchange['headers'] = {};
  let error: string | undefined;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal,
      dispatcher: options.dispatcher,
    });
    status = res.statusCode;
    headers = res.headers;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      reads.push({ at: process.hrtime.bigint(), bytes: chunk });
    }
  } catch (err) {
    error = signal.aborted ? `no complete response within ${options.timeoutMs ?? 30_000} ms` : describe(err);
  }
  return { status, headers, reads, body: Buffer.concat(reads.map((r) => r.bytes)), startedAt, endedAt: process.hrtime.bigint(), error };
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.code ?? e.message ?? String(err);
}
