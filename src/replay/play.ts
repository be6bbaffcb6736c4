// Playing a cassette on one HTTP response: recorded reads and gaps, recorded endings (end, reset,
// hang) and injected faults (error statuses, drops, stalls, resets, early EOF, in-band errors).
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { UpstreamFault } from '../cassette/schema.ts';
import type { ReplayExchange, ReplayPlan } from './types.ts';
import { drainedOrClosed, eitherEvent } from '../base/drained.ts';
import type { ReplayChunk } from '../cassette/cassette.ts';
import { sharedPacer } from './pacer.ts';

/**
 * Plays one plan on one response: the fault before the headers, if any, then every read at its
 * recorded time (scaled by the plan's speed), then the recorded ending or the mid-stream fault.
 * Every wait ends when the gateway hangs up, so no timer outlives the exchange.
 */
export async function playPlan(res: ServerResponse, plan: ReplayPlan, exchange: ReplayExchange, maxHangMs: number): Promise<void> {
  const { cassette, chunks, speed } = plan;
  const fault: UpstreamFault = plan.fault ?? cassette.response.fault ?? { fault: 'none' };
  let gone = false;
  res.on('close', () => {
    gone = true;
  });
  /** Waits, but no longer than the gateway stays connected (so no timer outlives the exchange). */
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (gone) return resolve();
      const done = () => {
        clearTimeout(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, maxHangMs));
      res.on('close', done);
    });

  // Faults before the response starts.
  switch (fault.fault) {
    case 'status':
      return sendFaultStatus(res, fault, exchange);
    case 'drop-before-headers':
      (res.socket as Socket | null)?.resetAndDestroy();
      return;
    case 'stall-before-headers':
      await pause(fault.ms);
      if (gone) return;
      break;
  }
  res.writeHead(cassette.response.status, cassette.response.headers);
  res.flushHeaders();
  exchange.headersAt = performance.now();
  if (fault.fault === 'stall-after-headers') {
    await pause(fault.ms);
    if (gone) return;
  }
  // Where a mid-stream fault strikes (past the last read: instead of the recorded ending).
  const strikeAt = 'afterChunk' in fault ? fault.afterChunk : -1;
  if (speed > 0 && strikeAt < 0) {
    // The common case under load: paced reads, no mid-stream fault. One shared timer paces them.
    await writePaced(res, chunks, speed, exchange, () => gone);
  } else {
    const start = performance.now();
    let shift = 0; // time spent in a mid-stream stall, which pushes the recorded gaps back
    for (let i = 0; i <= chunks.length; i++) {
      if (gone) return;
      if (i === strikeAt) {
        if (fault.fault !== 'stall-mid-stream') return strike(res, fault, exchange, () => gone, pause, maxHangMs);
        const stallStart = performance.now();
        await pause(fault.ms);
        if (gone) return;
        // The rest keeps its recorded gaps, counted from the end of the stall.
        shift += performance.now() - stallStart;
      }
      const chunk = chunks[i];
      if (chunk === undefined) break;
      if (speed > 0) {
        const wait = start + shift + chunk.at / speed - performance.now();
        if (wait > 0) await pause(wait);
      }
      if (gone) return;
      const flushed = res.write(chunk.bytes);
      exchange.bytesSent += chunk.bytes.length;
      exchange.lastWriteAt = performance.now();
      exchange.writeAts?.push(exchange.lastWriteAt);
      // Yield between writes so each chunk leaves as its own read where the network allows.
      if (!flushed) await drainedOrClosed(res);
      else if (speed === 0) await yieldToLoop();
    }
  }
  if (gone) return;
  switch (cassette.response.end) {
    case 'end':
      await endResponse(res);
      exchange.completed = true;
      return;
    case 'reset':
      exchange.completed = true;
      (res.socket as Socket | null)?.resetAndDestroy();
      return;
    case 'hang':
      exchange.completed = true;
      await pause(maxHangMs);
      res.destroy();
      return;
  }
}

/**
 * Ends the response and resolves once it finished or its connection closed. Waiting for 'finish'
 * alone hung forever when the gateway reset the connection just before the end: the failed write
 * never finishes, and the exchange stayed open (a resilience soak counted it as a request the
 * gateway left open upstream).
 */
export function endResponse(res: ServerResponse, last?: string): Promise<void> {
  if (last === undefined) res.end();
  else res.end(last);
  // Both events come later than end(); a response already closed gets neither.
  return res.destroyed ? Promise.resolve() : eitherEvent(res, 'finish', 'close');
}

/** A mid-stream fault: the body ends here, in the way the fault says. */
async function strike(
  res: ServerResponse,
  fault: UpstreamFault,
  exchange: ReplayExchange,
  isGone: () => boolean,
  pause: (ms: number) => Promise<void>,
  maxHangMs: number,
): Promise<void> {
  switch (fault.fault) {
    case 'reset-mid-stream':
      (res.socket as Socket | null)?.resetAndDestroy();
      return;
    case 'eof-mid-stream':
      await endResponse(res);
      return;
    case 'hang-mid-stream':
      await pause(maxHangMs);
      res.destroy();
      return;
    case 'error-event': {
      const text = `data: ${JSON.stringify({ error: { message: fault.message, type: fault.type, param: null, code: fault.code } })}\n\n`;
      exchange.bytesSent += Buffer.byteLength(text);
      await endResponse(res, text);
      exchange.completed = !isGone();
      return;
    }
  }
}

/** An error status with an OpenAI-shaped body (messages as OpenAI words them) and retry headers. */
function sendFaultStatus(res: ServerResponse, fault: Extract<UpstreamFault, { fault: 'status' }>, exchange: ReplayExchange): void {
  const preset = STATUS_PRESETS[fault.status] ?? {
    message: `upstream error ${fault.status}`,
    type: fault.status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
  };
  const body =
    fault.body ??
    JSON.stringify({
      error: {
        message: fault.message ?? preset.message,
        type: fault.type ?? preset.type,
        param: null,
        code: fault.code !== undefined ? fault.code : preset.code,
      },
    });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  res.writeHead(fault.status, headers);
  res.end(body);
  exchange.bytesSent += Buffer.byteLength(body);
  exchange.completed = true;
}

/** Error bodies as OpenAI sends them (platform.openai.com/docs/guides/error-codes). */
const STATUS_PRESETS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: "Invalid value for 'messages': expected an array.", type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  429: { message: 'Rate limit reached for requests. Please try again shortly.', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  502: { message: 'Bad gateway.', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
  504: { message: 'Gateway timeout.', type: 'server_error', code: null },
};

/**
 * Writes every read at its recorded time (scaled by speed), waiting on the shared pacer: no timer,
 * promise or listener per read, one ticket per stream. Reads due together go out on one tick.
 * Resolves when the last read is written or the gateway hangs up (at once: no wait outlives it).
 */
function writePaced(
  res: ServerResponse,
  chunks: readonly ReplayChunk[],
  speed: number,
  exchange: ReplayExchange,
  isGone: () => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    let i = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sharedPacer.cancel(ticket);
      res.off('close', finish);
      resolve();
    };
    const step = () => {
      while (!done) {
        if (isGone() || i >= chunks.length) return finish();
        const chunk = chunks[i]!;
        const due = start + chunk.at / speed;
        if (due > performance.now()) return sharedPacer.wakeAt(ticket, due);
        i++;
        exchange.bytesSent += chunk.bytes.length;
        exchange.lastWriteAt = performance.now();
        exchange.writeAts?.push(exchange.lastWriteAt);
        if (!res.write(chunk.bytes)) return void drainedOrClosed(res).then(step);
      }
    };
    const ticket = sharedPacer.ticket(step);
    res.on('close', finish);
    step();
  });
}
