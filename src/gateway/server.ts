// The reference gateway: an OpenAI-compatible HTTP front (POST /v1/chat/completions, GET
// /v1/models, GET /healthz) over the provider routes of its config. It listens on 127.0.0.1 by
// default and runs in-process in harness runs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Agent, request as undiciRequest } from 'undici';
import { errorTypeFor } from '../canonical/openai-chat-encoder.ts';
import type { CanonicalEvent, ErrorKind } from '../canonical/events.ts';
import { aggregateChatCompletion } from '../canonical/chat-completion.ts';
import { encodeSseComment } from '../sse/encoder.ts';
import { getProvider } from '../providers/index.ts';
import { errorEventFromBody, errorKind } from '../providers/openai-compatible/errors.ts';
import type { ChatRequest, DecoderContext, ProviderDescriptor, ProviderRoute } from '../providers/types.ts';

type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;
import { resolveRoute, type GatewayConfig, type RouteConfig } from './config.ts';
import { requestContext } from './context.ts';
import { createNormalizingPipeline, createPassthroughPipeline, type StreamPipeline } from './pipeline.ts';

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Streams currently open to clients. */
  readonly activeStreams: number;
  /** Bytes held inside all open stream pipelines right now. */
  bufferedBytes(): number;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: null, pipelining: 1 });
  const pipelines = new Set<StreamPipeline>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Last resort: a bug in the gateway must still give the client a well-formed answer.
      if (!res.headersSent) sendError(res, 500, 'internal', `gateway error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/v1/models') {
      const data = config.routes.map((r) => ({ id: r.match, object: 'model', created: 0, owned_by: r.provider }));
      return sendJson(res, 200, { object: 'list', data });
    }
    if (path !== '/v1/chat/completions') return sendError(res, 404, 'bad_request', `no route for ${req.method} ${path}`);
    if (req.method !== 'POST') return sendError(res, 405, 'bad_request', `${req.method} is not allowed on ${path}`);

    const raw = await readBody(req, config.limits.maxRequestBytes);
    if (raw === null) return sendError(res, 413, 'bad_request', `request body exceeds ${config.limits.maxRequestBytes} bytes`);
    let body: ChatRequest;
    try {
      body = JSON.parse(raw.toString('utf8')) as ChatRequest;
    } catch {
      return sendError(res, 400, 'bad_request', 'request body is not valid JSON');
    }
    if (body === null || typeof body !== 'object' || typeof body.model !== 'string') {
      return sendError(res, 400, 'bad_request', 'request body must be a JSON object with a string "model"');
    }
    const resolved = resolveRoute(config.routes, body.model);
    if (!resolved) return sendError(res, 404, 'bad_request', `no route for model ${JSON.stringify(body.model)}`, 'model_not_found');
    await proxy(req, res, { ...body, model: resolved.upstreamModel }, resolved.route, raw);
  }

  async function proxy(req: IncomingMessage, res: ServerResponse, body: ChatRequest, route: RouteConfig, raw: Buffer): Promise<void> {
    const provider = getProvider(route.provider)!;
    const providerRoute: ProviderRoute = {
      baseUrl: (route.baseUrl ?? provider.defaultBaseUrl).replace(/\/+$/, ''),
      apiKey: route.apiKey,
      headers: route.headers,
      options: route.options,
    };
    const clientStreams = body.stream === true;
    // OpenAI-compatible upstreams answer a non-streaming client themselves; every other upstream
    // is read as a stream and its events aggregated into one chat.completion.
    const forwardJson = !clientStreams && provider.supportsPassthrough;
    const upstream = await provider.buildRequest(forwardJson ? body : { ...body, stream: true }, providerRoute);
    const query = new URLSearchParams(upstream.query).toString();
    const url = `${providerRoute.baseUrl}${upstream.path}${query ? `?${query}` : ''}`;

    // A client that goes away aborts the upstream request at once.
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    };
    res.on('close', onClose);
    try {
      let response: Awaited<ReturnType<typeof undiciRequest>>;
      try {
        response = await undiciRequest(url, { method: upstream.method, headers: upstream.headers, body: upstream.body, signal: abort.signal, dispatcher });
      } catch (err) {
        if (!abort.signal.aborted) sendError(res, 502, 'upstream', `upstream request failed: ${describeNetworkError(err)}`);
        return;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) return await sendUpstreamError(res, response);

      const context = requestContext({ model: body.model, rawRequest: raw, maxLineBytes: config.limits.maxLineBytes, fixedCreated: config.deterministic?.created });
      if (forwardJson) return await forwardBody(res, response);
      if (!clientStreams) return await sendAggregated(res, response, provider, context);
      await stream(res, response, provider, route, context, body, abort.signal);
    } finally {
      res.off('close', onClose);
    }
  }

  async function stream(
    res: ServerResponse,
    response: UpstreamResponse,
    provider: ProviderDescriptor,
    route: RouteConfig,
    context: DecoderContext,
    body: ChatRequest,
    aborted: AbortSignal,
  ): Promise<void> {
    const includeUsage = (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
    const pipeline =
      route.mode === 'passthrough' && provider.supportsPassthrough
        ? createPassthroughPipeline({ maxLineBytes: config.limits.maxLineBytes })
        : createNormalizingPipeline({ provider, context, includeUsage });
    pipelines.add(pipeline);
    // One writer for events and heartbeats: everything written is whole events, so a heartbeat
    // written between two writes can never land inside an event.
    let heartbeat: NodeJS.Timeout | undefined;
    const armHeartbeat = () => {
      if (config.heartbeatMs <= 0) return;
      clearTimeout(heartbeat);
      heartbeat = setTimeout(() => {
        if (res.writableEnded || res.destroyed) return;
        res.write(HEARTBEAT);
        armHeartbeat();
      }, config.heartbeatMs);
    };
    const write = async (out: string | Buffer) => {
      if (out.length === 0) return;
      armHeartbeat();
      // Backpressure: a slow client stops us reading the upstream instead of growing a buffer.
      if (!res.write(out)) await once(res, 'drain');
    };
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    armHeartbeat();
    try {
      await write(pipeline.open());
      for await (const chunk of response.body as AsyncIterable<Buffer>) await write(pipeline.feed(chunk));
      res.end(pipeline.end());
    } catch (err) {
      if (aborted.aborted || res.destroyed) {
        response.body.destroy();
        return;
      }
      res.end(pipeline.fail(`upstream stream failed: ${describeNetworkError(err)}`));
    } finally {
      clearTimeout(heartbeat);
      pipelines.delete(pipeline);
    }
  }

  server.listen(config.listen.port, config.listen.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${config.listen.host}:${port}`,
    port,
    get activeStreams() {
      return pipelines.size;
    },
    bufferedBytes() {
      let n = 0;
      for (const p of pipelines) n += p.bufferedBytes;
      return n;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dispatcher.close();
    },
  };
}

type UpstreamResponse = Awaited<ReturnType<typeof undiciRequest>>;

const HEARTBEAT = encodeSseComment('keep-alive');

/** An upstream error status: the same status, with an OpenAI-shaped body keeping the provider's message. */
async function sendUpstreamError(res: ServerResponse, response: UpstreamResponse): Promise<void> {
  const text = await readUpstreamText(response.body);
  let event: ErrorEvent = { type: 'error', kind: errorKind(response.statusCode), message: `upstream answered ${response.statusCode}`, status: response.statusCode };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object') event = errorEventFromBody(parsed as Record<string, unknown>, response.statusCode);
  } catch {
    if (text.trim()) event.message = `upstream answered ${response.statusCode}: ${text.trim().slice(0, 500)}`;
  }
  sendError(res, response.statusCode, event.kind, event.message, event.code ?? null, event.errorType);
}

async function forwardBody(res: ServerResponse, response: UpstreamResponse): Promise<void> {
  res.writeHead(response.statusCode, { 'content-type': 'application/json' });
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    if (!res.write(chunk)) await once(res, 'drain');
  }
  res.end();
}

async function sendAggregated(res: ServerResponse, response: UpstreamResponse, provider: ProviderDescriptor, context: DecoderContext): Promise<void> {
  const decoder = provider.createStreamDecoder(context);
  const events: CanonicalEvent[] = [];
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) decoder.feed(chunk, events);
    decoder.end(events);
  } catch (err) {
    events.push({ type: 'error', kind: 'upstream', message: `upstream response failed: ${describeNetworkError(err)}` });
  }
  const result = aggregateChatCompletion(events, { id: context.newId('chatcmpl-'), model: context.model, created: context.now() });
  if (!result.ok) return sendError(res, result.error.status ?? 502, result.error.kind, result.error.message, result.error.code ?? null, result.error.errorType);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(result.json) });
  res.end(result.json);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

async function readUpstreamText(body: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < 64 * 1024) parts.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(parts).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, kind: ErrorKind, message: string, code: string | number | null = null, type?: string): void {
  sendJson(res, status, { error: { message, type: type ?? errorTypeFor(kind), param: null, code } });
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
}
