// The null proxy: the least a gateway can be. It forwards each request to the upstream over a
// keep-alive agent and pipes the response back, bytes as they come, parsing nothing. A load run
// drives it as a phase of its own, so added latency splits into "one more hop" (null proxy −
// direct) and "what the gateway itself adds" (gateway − null proxy). A request that carries
// DELAY_HEADER is held that many ms before it is forwarded (the header is not): the calibration
// marks every other request so, and the delay must show up in the measured TTFT.
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { listenOn } from '../base/listen.ts';
import { createHistogram, recordNs, summarizeMs } from './histogram.ts';
import type { ProxyDelayStats } from './server-messages.ts';

export interface NullProxy {
  url: string;
  /** The delays applied to requests that asked for one, since the last call (as measured here: never less than asked, often more). */
  takeDelayStats(): ProxyDelayStats;
  close(): Promise<void>;
}

/** A request header asking the null proxy to hold the request this many ms (0, the default, to MAX_DELAY_MS). */
export const DELAY_HEADER = 'x-streamproof-delay-ms';
const MAX_DELAY_MS = 10_000;

/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', DELAY_HEADER]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

export async function startNullProxy(upstreamUrl: string): Promise<NullProxy> {
  const upstream = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, keepAliveMsecs: 30_000 });
  let applied = createHistogram();
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse, arrived?: bigint) => {
    if (res.destroyed) return;
    if (arrived !== undefined) recordNs(applied, process.hrtime.bigint() - arrived);
    const up = request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      agent,
    });
    up.on('response', (ur) => {
      res.writeHead(ur.statusCode ?? 502, endToEnd(ur.headers));
      res.flushHeaders();
      ur.pipe(res);
      ur.on('error', () => res.destroy());
    });
    up.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end('null proxy: upstream failed');
    });
    // The client left: so does the upstream request (as a gateway must).
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  // A timer's start is the event loop's cached clock, which can be most of a tick (and the ms
  // truncated) behind: setTimeout(40) alone can fire after 39.5 ms. Re-arm for what is left, so the
  // hold is never shorter than asked.
  const holdThenForward = (req: IncomingMessage, res: ServerResponse, arrived: bigint, holdNs: bigint) => {
    const left = holdNs - (process.hrtime.bigint() - arrived);
    if (left <= 0n) forward(req, res, arrived);
    else setTimeout(holdThenForward, Math.ceil(Number(left) / 1e6), req, res, arrived, holdNs);
  };

  const server = createServer((req, res) => {
    const asked = req.headers[DELAY_HEADER];
    const delay = asked === undefined ? 0 : Number(asked);
    if (!(Number.isInteger(delay) && delay >= 0 && delay <= MAX_DELAY_MS)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`null proxy: ${DELAY_HEADER} must be an integer from 0 to ${MAX_DELAY_MS}`);
      return;
    }
    if (delay > 0) holdThenForward(req, res, process.hrtime.bigint(), BigInt(delay) * 1_000_000n);
    else forward(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listenOn(server, 0, '127.0.0.1', 'the null proxy');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    takeDelayStats() {
      const s = summarizeMs(applied);
      applied = createHistogram();
      return { count: s.count, p50Ms: s.p50, meanMs: s.mean };
    },
    async close() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
