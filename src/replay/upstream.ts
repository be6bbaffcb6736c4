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
import { playPlan } from './play.ts';
import { SlotTable } from './slots.ts';
import type { ObservedRequest, ReplayExchange, ReplayPlan } from './types.ts';
import { listenOn } from '../base/listen.ts';

export type { ObservedRequest, ReplayExchange, ReplayPlan } from './types.ts';

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

const SLOT_PATH = /^\/p\/([^/]+)(\/.*)?$/;

export async function startReplayUpstream(options: ReplayUpstreamOptions = {}): Promise<ReplayUpstream> {
  const host = options.host ?? '127.0.0.1';
  const maxHangMs = options.maxHangMs ?? 60_000;
  const slots = new SlotTable();
  let active = 0;
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
    const taken = slots.take(slot, observed);
    if (!taken) {
      const message = `streamproof replay: no cassette for ${req.method} ${url.pathname} (slot ${JSON.stringify(slot)})`;
      const text = JSON.stringify({ error: { message, type: 'streamproof_replay_error', code: null } });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const { plan } = taken;
    const exchange: ReplayExchange = {
      slot,
      cassette: plan.cassette.name,
      request: observed,
      expected: plan.cassette.upstreamRequest,
      bytesSent: 0,
      completed: false,
      fault: (plan.fault ?? plan.cassette.response.fault)?.fault ?? 'none',
      startedAt,
      ...(plan.stampWrites ? { writeAts: [] } : {}),
    };
    try {
      await playPlan(res, plan, exchange, maxHangMs);
    } finally {
      exchange.endedAt = performance.now();
      options.onExchange?.(exchange);
      taken.resolve?.(exchange);
    }
  }

  await listenOn(server, options.port ?? 0, host, 'the replay upstream');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  return {
    url,
    port,
    baseUrl: (slot) => `${url}/p/${encodeURIComponent(slot)}`,
    arm: (slot, plan) => slots.arm(slot, plan),
    disarm: (slot) => slots.disarm(slot),
    bind: (slot, plan) => slots.bind(slot, plan),
    choose: (slot, chooser) => slots.choose(slot, chooser),
    served: (slot) => slots.served(slot),
    get activeExchanges() {
      return active;
    },
    unexpected: slots.unexpected,
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
