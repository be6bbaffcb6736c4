// The client side of a fault case: one request that may abort at a chosen point or read slowly,
// keeping the status and every byte that arrived.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { createSseParser } from '../sse/parser.ts';

export interface FaultClientBehaviour {
  abortAfterMs?: number;
  abortAfterEvents?: number;
  readDelayMs?: number;
}

export interface FaultClientResult {
  /** 0 when no response headers arrived. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** SSE events in the body (complete ones). */
  events: number;
  /** The client left on purpose (its behaviour said so). */
  aborted: boolean;
  /** A transport failure the client did not cause (a cut connection, or no answer in time). */
  error?: string;
}

export async function runFaultClient(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  behaviour: FaultClientBehaviour,
  timeoutMs = 15_000,
): Promise<FaultClientResult> {
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
  const parser = createSseParser({ onEvent: () => void events++ });
  const result: FaultClientResult = { status: 0, headers: {}, body: Buffer.alloc(0), events: 0, aborted: false };
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    result.status = res.statusCode;
    result.headers = res.headers;
    if (behaviour.abortAfterEvents === 0) abort();
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      // A slow reader: while it sleeps, nothing is pulled and the socket fills up.
      if (behaviour.readDelayMs !== undefined) await sleep(behaviour.readDelayMs);
      parts.push(chunk);
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
  }
  result.body = Buffer.concat(parts);
  result.events = events;
  result.aborted = aborted;
  return result;
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.code ?? e.message ?? String(err);
}
