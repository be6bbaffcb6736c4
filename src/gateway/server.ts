// The reference gateway: an OpenAI-compatible HTTP front (POST /v1/chat/completions, GET
// /v1/models, GET /v1/routes, GET /metrics, GET /healthz) over the provider routes of its config.
// It listens on 127.0.0.1 by default and runs in-process in harness runs. The resilience work
// (retries, fallbacks, breaker, capacity, timeouts) happens in dispatch.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ChatRequest } from '../providers/types.ts';
import { resolveRoute, routeName, type GatewayConfig } from './config.ts';
import { dispatch } from './dispatch.ts';
import { sendError, sendJson } from './errors.ts';
import { createGatewayMetrics } from './metrics.ts';
import type { StreamPipeline } from './pipeline.ts';
import { guardRequest } from './request-guard.ts';
import { createRouteRuntimes } from './route-runtime.ts';
import { routeStatus } from './route-status.ts';
import { parseJson } from '../base/json.ts';
import { listenOn } from '../base/listen.ts';

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Streams currently open to clients. */
  readonly activeStreams: number;
  /** Client requests being served right now (streams or not, committed or not). */
  readonly inFlight: number;
  /** Bytes held inside all open stream pipelines right now. */
  bufferedBytes(): number;
  /** This gateway's metrics (the same ones GET /metrics exports). */
  readonly metrics: Registry;
}

export interface GatewayOptions {
  /**
   * One line per request once it is answered: method, path, status and duration (never a header
   * value or a body: they may hold secrets). Off unless given (`streamproof gateway --log`).
   */
  log?: (line: string) => void;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const { log } = options;
  const pipelines = new Set<StreamPipeline>();
  const bufferedBytes = () => {
    let n = 0;
    for (const p of pipelines) n += p.bufferedBytes;
    return n;
  };
  const metrics = createGatewayMetrics({
    routes: config.routes.map(routeName),
    bufferedBytes,
    processMetrics: config.metrics?.process === true,
  });
  const routes = createRouteRuntimes(config, metrics);
  let inFlight = 0;

  const server: Server = createServer((req, res) => {
    if (log) {
      const started = performance.now();
      res.once('close', () => {
        const path = (req.url ?? '/').split('?')[0];
        const ms = (performance.now() - started).toFixed(1);
        const how = res.writableFinished ? '' : ' (cut short)';
        log(`${req.method} ${path} ${res.statusCode} ${ms} ms${how}`);
      });
    }
    handle(req, res).catch((err: unknown) => {
      // Last resort: a bug in the gateway must still give the client a well-formed answer.
      if (!res.headersSent) sendError(res, 500, 'internal', `gateway error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  // Idle client connections outlive the clients' own keep-alive (undici 4 s, load balancers
  // 60 s), so it is always the client that closes one: a server closing first races the next
  // request on that connection, which then fails with ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET') {
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/v1/models') {
        const data = config.routes.map((r) => ({ id: r.match, object: 'model', created: 0, owned_by: r.provider }));
        return sendJson(res, 200, { object: 'list', data });
      }
      if (path === '/v1/routes') return sendJson(res, 200, routeStatus(routes));
      if (path === '/metrics') {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
        return void res.end(text);
      }
    }
    if (path !== '/v1/chat/completions') return sendError(res, 404, 'bad_request', `no route for ${req.method} ${path}`);
    if (req.method !== 'POST') return sendError(res, 405, 'bad_request', `${req.method} is not allowed on ${path}`);

    const startedAt = performance.now();
    // A request refused before it has a route still counts, under the route label "-".
    const refuse = (status: number, message: string, code: string | null = null) => {
      sendError(res, status, 'bad_request', message, code);
      metrics.request('-', 'client_error', (performance.now() - startedAt) / 1000);
    };
    // A declared length over the limit is refused before a byte is read; a body that stalls is cut.
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > config.limits.maxRequestBytes) {
      res.setHeader('connection', 'close');
      return refuse(413, `request body of ${declared} bytes exceeds ${config.limits.maxRequestBytes} bytes`);
    }
    const raw = await readBody(req, config.limits.maxRequestBytes, config.limits.bodyReadMs);
    if (raw === 'too-large') {
      res.setHeader('connection', 'close');
      return refuse(413, `request body exceeds ${config.limits.maxRequestBytes} bytes`);
    }
    if (raw === 'timeout') {
      res.setHeader('connection', 'close');
      return refuse(408, `request body not received within ${config.limits.bodyReadMs} ms`);
    }
    const parsed = parseJson(raw);
    if (parsed === undefined) return refuse(400, 'request body is not valid JSON');
    const body = parsed as ChatRequest;
    if (body === null || typeof body !== 'object' || typeof body.model !== 'string') {
      return refuse(400, 'request body must be a JSON object with a string "model"');
    }
    const resolved = resolveRoute(config.routes, body.model);
    if (!resolved) return refuse(404, `no route for model ${JSON.stringify(body.model)}`, 'model_not_found');

    const primary = routes.get(routeName(resolved.route))!;
    const name = primary.policy.name;
    const guard = guardRequest(req, res, primary.policy.timeouts.totalMs);
    inFlight++;
    metrics.inFlight(name, 1);
    let outcome: Awaited<ReturnType<typeof dispatch>> = 'upstream_error';
    try {
      outcome = await dispatch(
        { primary, upstreamModel: resolved.upstreamModel, body, raw, res, guard, startedAt },
        { routes, config, metrics, pipelines },
      );
    } finally {
      guard.dispose();
      inFlight--;
      metrics.inFlight(name, -1);
      metrics.request(name, outcome, (performance.now() - startedAt) / 1000);
    }
  }

  await listenOn(server, config.listen.port, config.listen.host, 'the gateway');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${config.listen.host}:${port}`,
    port,
    get activeStreams() {
      return pipelines.size;
    },
    get inFlight() {
      return inFlight;
    },
    bufferedBytes,
    metrics: metrics.registry,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Client sockets are gone, so every upstream call has been aborted; nothing is left to wait for.
      await Promise.all([...routes.values()].map((r) => r.dispatcher.destroy()));
    },
  };
}

function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer | 'too-large' | 'timeout'> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too-large' | 'timeout') => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      // Unread bytes stay unread: the answer closes the connection (see the callers).
      if (result === 'timeout') req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish('too-large');
      } else parts.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(parts, size));
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
