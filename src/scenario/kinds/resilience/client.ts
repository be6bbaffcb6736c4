// One client stream of a resilience run: it may leave at a chosen point or read slowly, and it
// stamps its first body byte (performance.now(), the replay upstream's clock in this process).
import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';
import { createSseParser } from '../../../sse/parser.ts';

export interface ClientBehaviour {
  abortAfterMs?: number;
  abortAfterEvents?: number;
  readDelayMs?: number;
}

export interface ClientStream {
  /** 0 when no response headers arrived. */
  status: number;
  body: Buffer;
  /** performance.now() when the first body byte arrived. */
  firstByteAt?: number;
  /** The client left on purpose (its behaviour said so). */
  aborted: boolean;
  /** A transport failure the client did not cause (a cut connection, or no answer in time). */
  error?: string;
}

/** Running totals for the progress line. */
export interface ClientCounters {
  open: number;
  events: number;
  bytes: number;
  failed: number;
}

export async function runClientStream(
  dispatcher: Dispatcher,
  url: string,
  body: unknown,
  behaviour: ClientBehaviour,
  timeoutMs: number,
  counters: ClientCounters,
): Promise<ClientStream> {
  const controller = new AbortController();
  let aborted = false;
  const abort = () => {
    aborted = true;
    controller.abort();
  };
  const abortTimer = behaviour.abortAfterMs !== undefined ? setTimeout(abort, behaviour.abortAfterMs) : undefined;
  const safety = setTimeout(() => controller.abort(), timeoutMs);
  const parts: Buffer[] = [];
  let events = 0;
  const parser = createSseParser({
    onEvent: () => {
      events++;
      counters.events++;
    },
  });
  const result: ClientStream = { status: 0, body: Buffer.alloc(0), aborted: false };
  counters.open++;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
      dispatcher,
    });
    result.status = res.statusCode;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      result.firstByteAt ??= performance.now();
      if (behaviour.readDelayMs !== undefined) await sleep(behaviour.readDelayMs);
      parts.push(chunk);
      counters.bytes += chunk.length;
      parser.feed(chunk);
      if (behaviour.abortAfterEvents !== undefined && events >= behaviour.abortAfterEvents) {
        abort();
        break;
      }
    }
  } catch (err) {
    if (!aborted) result.error = controller.signal.aborted ? `no complete response within ${timeoutMs} ms` : describe(err);
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(safety);
    counters.open--;
  }
  result.body = Buffer.concat(parts);
  result.aborted = aborted;
  if (result.error) counters.failed++;
  return result;
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.code ?? e.message ?? String(err);
}
