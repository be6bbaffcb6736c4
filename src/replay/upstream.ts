// The replay upstream: a real HTTP server on 127.0.0.1 that plays cassettes back chunk by chunk,
// with the recorded read boundaries and gaps (scaled by `speed`), and records every request the
// gateway sends (with what the cassette expects of it, for checks/upstream-request.ts).
//
// Requests are addressed by slot: `<url>/p/<slot>/<provider path>`. A slot is either armed with a
// queue of one-shot plans (the runner arms one per case, so it knows which case a request
// belongs to), bound to a cassette for good (`streamproof replay`, for engineers), or given a
// chooser that picks a plan per request (soak runs, where many clients share a slot).
//
// A plan may inject a fault (an error status, a dropped connection, a stall, a reset, an early
// EOF, a hang or an in-band error event) at a chosen point; see upstreamFaultSchema.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Cassette, ReplayChunk } from '../cassette/cassette.ts';
import type { UpstreamFault, UpstreamRequestExpectation } from '../cassette/schema.ts';

/** The request as the replay upstream received it (checks/upstream-request.ts judges it). */
export interface ObservedRequest {
  method: string;
  /** Path relative to the provider slot, without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ReplayPlan {
  cassette: Cassette;
  /** The reads to serve (the cassette's own, or a re-chunking). */
  chunks: readonly ReplayChunk[];
  /** 0 = no delay; 1 = the recorded gaps; 2 = twice as fast. */
  speed: number;
  /** A fault for this exchange (default: the cassette's own `response.fault`, if any). */
  fault?: UpstreamFault;
}

export interface ReplayExchange {
  slot: string;
  cassette: string;
  request: ObservedRequest;
  /** What the cassette says that request must look like. */
  expected: UpstreamRequestExpectation;
  bytesSent: number;
  /** False when the gateway closed the connection before the body was fully served. */
  completed: boolean;
  /** The fault that was injected ('none' for a plain replay). */
  fault?: UpstreamFault['fault'];
  /** performance.now() when the request arrived and when the exchange was over. */
  startedAt?: number;
  endedAt?: number;
}

export interface ReplayUpstream {
  url: string;
  port: number;
  /** The base URL a gateway route must use for a slot (usually a provider name). */
  baseUrl(slot: string): string;
  /** Queues a plan for the next request on a slot; resolves when that exchange is over. */
  arm(slot: string, plan: ReplayPlan): Promise<ReplayExchange>;
  /** Removes plans that no request consumed (returns how many). */
  disarm(slot: string): number;
  /** Serves a cassette on a slot for every request, until closed. */
  bind(slot: string, plan: ReplayPlan): void;
  /** Picks the plan for every request on a slot (after armed plans), until closed. */
  choose(slot: string, chooser: (request: ObservedRequest) => ReplayPlan): void;
  /** Requests a slot has served from a plan so far (armed, bound or chosen). */
  served(slot: string): number;
  /** Exchanges in progress right now (a gateway that never lets go of a request shows here). */
  readonly activeExchanges: number;
  /** Requests that arrived on a slot with nothing armed or bound. */
  readonly unexpected: ObservedRequest[];
  /** TCP connections open right now (a gateway that leaks upstream sockets shows here). */
  readonly openConnections: number;
  close(): Promise<void>;
}

export interface ReplayUpstreamOptions {
  host?: string;
  port?: number;
  /** How long a `hang` ending holds the response open before giving up. */
  maxHangMs?: number;
  onExchange?: (exchange: ReplayExchange) => void;
}

interface Armed {
  plan: ReplayPlan;
  resolve(exchange: ReplayExchange): void;
}

const SLOT_PATH = /^\/p\/([^/]+)(\/.*)?$/;

export async function startReplayUpstream(options: ReplayUpstreamOptions = {}): Promise<ReplayUpstream> {
  const host = options.host ?? '127.0.0.1';
  const maxHangMs = options.maxHangMs ?? 60_000;
  const queues = new Map<string, Armed[]>();
  const bound = new Map<string, ReplayPlan>();
  const choosers = new Map<string, (request: ObservedRequest) => ReplayPlan>();
  const servedCount = new Map<string, number>();
  let active = 0;
  const unexpected: ObservedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    active++;
    serve(req, res)
      .catch(() => res.destroy())
      .finally(() => active--);
  });
  // Idle connections stay open longer than any gateway pool keeps them, so the gateway is the one
  // that closes them (a server closing first races the gateway's next request: ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://replay');
    const match = SLOT_PATH.exec(url.pathname);
    const body = await readAll(req);
    const observed: ObservedRequest = {
      method: req.method ?? 'GET',
      path: match?.[2] ?? url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    const slot = match?.[1] !== undefined ? decodeURIComponent(match[1]) : '';
    const startedAt = performance.now();
    const armed = queues.get(slot)?.shift();
    const plan = armed?.plan ?? bound.get(slot) ?? choosers.get(slot)?.(observed);
    if (!plan) {
      unexpected.push(observed);
      const message = `streamproof replay: no cassette for ${req.method} ${url.pathname} (slot ${JSON.stringify(slot)})`;
      const text = JSON.stringify({ error: { message, type: 'streamproof_replay_error', code: null } });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const exchange: ReplayExchange = {
      slot,
      cassette: plan.cassette.name,
      request: observed,
      expected: plan.cassette.upstreamRequest,
      bytesSent: 0,
      completed: false,
      fault: (plan.fault ?? plan.cassette.response.fault)?.fault ?? 'none',
      startedAt,
    };
    servedCount.set(slot, (servedCount.get(slot) ?? 0) + 1);
    try {
      await play(res, plan, exchange);
    } finally {
      exchange.endedAt = performance.now();
      options.onExchange?.(exchange);
      armed?.resolve(exchange);
    }
  }

  async function play(res: ServerResponse, plan: ReplayPlan, exchange: ReplayExchange): Promise<void> {
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
    if (fault.fault === 'stall-after-headers') {
      await pause(fault.ms);
      if (gone) return;
    }
    // Where a mid-stream fault strikes (past the last read: instead of the recorded ending).
    const strikeAt = 'afterChunk' in fault ? fault.afterChunk : -1;
    const start = performance.now();
    let shift = 0; // time spent in a mid-stream stall, which pushes the recorded gaps back
    for (let i = 0; i <= chunks.length; i++) {
      if (gone) return;
      if (i === strikeAt) {
        if (fault.fault !== 'stall-mid-stream') return strike(res, fault, exchange, () => gone, pause);
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
      // Yield between writes so each chunk leaves as its own read where the network allows.
      if (!flushed) await drainedOrGone(res);
      else if (speed === 0) await yieldToLoop();
    }
    if (gone) return;
    switch (cassette.response.end) {
      case 'end':
        res.end();
        await once(res, 'finish').catch(() => undefined);
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

  /** A mid-stream fault: the body ends here, in the way the fault says. */
  async function strike(
    res: ServerResponse,
    fault: UpstreamFault,
    exchange: ReplayExchange,
    isGone: () => boolean,
    pause: (ms: number) => Promise<void>,
  ): Promise<void> {
    switch (fault.fault) {
      case 'reset-mid-stream':
        (res.socket as Socket | null)?.resetAndDestroy();
        return;
      case 'eof-mid-stream':
        res.end();
        await once(res, 'finish').catch(() => undefined);
        return;
      case 'hang-mid-stream':
        await pause(maxHangMs);
        res.destroy();
        return;
      case 'error-event': {
        const text = `data: ${JSON.stringify({ error: { message: fault.message, type: fault.type, param: null, code: fault.code } })}\n\n`;
        res.end(text);
        exchange.bytesSent += Buffer.byteLength(text);
        await once(res, 'finish').catch(() => undefined);
        exchange.completed = !isGone();
        return;
      }
    }
  }

  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  return {
    url,
    port,
    baseUrl: (slot) => `${url}/p/${encodeURIComponent(slot)}`,
    arm(slot, plan) {
      return new Promise((resolve) => {
        const queue = queues.get(slot) ?? [];
        queue.push({ plan, resolve });
        queues.set(slot, queue);
      });
    },
    disarm(slot) {
      const n = queues.get(slot)?.length ?? 0;
      queues.delete(slot);
      return n;
    },
    bind(slot, plan) {
      bound.set(slot, plan);
    },
    choose(slot, chooser) {
      choosers.set(slot, chooser);
    },
    served: (slot) => servedCount.get(slot) ?? 0,
    get activeExchanges() {
      return active;
    },
    unexpected,
    get openConnections() {
      return sockets.size;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
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

/** Resolves on 'drain' or 'close', leaving no listener behind (a slow reader waits many times). */
function drainedOrGone(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
