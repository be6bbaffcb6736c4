// The recording proxy: an HTTP server on 127.0.0.1 that forwards each request to the real
// upstream and streams the answer back as it comes, one write per read, with nothing held back
// (the client sees the same reads at the same times, plus loopback), while it keeps a copy of
// every read with its time offset from the response head. When the body ends (cleanly, in a
// reset, or cut because the upstream went quiet for the idle timeout) the exchange is handed on
// to be turned into a cassette, after the client has been answered.
//
// Bounds: one exchange holds at most `maxExchangeBytes` of request and response (beyond it the
// exchange is still proxied, the copy dropped and no cassette written); at most `maxConcurrent`
// exchanges run at once (more get 503); a response that stops sending for `idleTimeoutMs` (or
// takes longer than `maxExchangeMs` in all) is cut. Everything listens on 127.0.0.1.
//
// Reads are the HTTP body pieces node's parser hands over: one socket read, further cut where
// the upstream's chunked encoding puts a chunk boundary (each write of the upstream's server).
import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import type { BodyEnd, Read, RecordedExchange } from './cassette.ts';

export interface RecorderOptions {
  /** The upstream base URL (scheme, host, port and an optional path prefix). */
  upstream: URL;
  port?: number;
  maxExchangeBytes?: number;
  maxConcurrent?: number;
  idleTimeoutMs?: number;
  maxExchangeMs?: number;
  /** Rewrites the headers (and may re-sign) just before the request goes upstream. */
  prepare?: (request: { method: string; url: URL; headers: Record<string, string>; body: Buffer }) => Promise<Record<string, string>>;
  /** Called once per exchange that produced a response, after the client's response ended. */
  onExchange(exchange: RecordedExchange): Promise<void>;
  /**
   * An exchange that produced no cassette, and why (no secrets in it: the caller masks it anyway).
   * `failed`: the recording failed (a bound, a bug); `empty`: there was nothing to record (no
   * answer from the upstream, a client that left); `passed`: not a model call (only POST
   * exchanges are recorded; a GET of a model list is proxied and left out).
   */
  onSkipped(what: string, why: string, outcome: SkipOutcome): void;
}

export type SkipOutcome = 'failed' | 'empty' | 'passed';

export interface Recorder {
  url: string;
  port: number;
  /** Exchanges handed on so far. */
  readonly recorded: number;
  readonly active: number;
  /** Resolves once every exchange handed on has been processed. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_EXCHANGE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT = 16;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_EXCHANGE_MS = 600_000;

/** Request headers not forwarded: hop-by-hop, and those the proxy sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'accept-encoding',
  'expect',
]);

/** Response headers not passed back as they are (node frames the client response itself). */
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const maxBytes = options.maxExchangeBytes ?? DEFAULT_MAX_EXCHANGE_BYTES;
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const totalMs = options.maxExchangeMs ?? DEFAULT_MAX_EXCHANGE_MS;
  const upstream = options.upstream;
  const prefix = upstream.pathname.replace(/\/+$/, '');
  const agent =
    upstream.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: maxConcurrent })
      : new HttpAgent({ keepAlive: true, maxSockets: maxConcurrent });
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const pending = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  let active = 0;
  let recorded = 0;

  const server = createServer((req, res) => {
    if (active >= maxConcurrent) {
      sendError(res, 503, `streamproof record: more than ${maxConcurrent} exchanges at once`);
      options.onSkipped(`${req.method} ${pathOf(req.url)}`, `more than ${maxConcurrent} exchanges at once (answered 503)`, 'failed');
      req.resume();
      return;
    }
    active++;
    proxy(req, res)
      .catch((err: Error) => {
        options.onSkipped(`${req.method} ${pathOf(req.url)}`, `the proxy failed: ${err.message}`, 'failed');
        res.destroy();
      })
      .finally(() => active--);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const what = `${req.method} ${pathOf(req.url)}`;
    const body = await readBody(req, maxBytes);
    if (body === null) {
      sendError(res, 413, `streamproof record: request body over ${maxBytes} bytes`);
      options.onSkipped(what, `the request body is over ${maxBytes} bytes (answered 413)`, 'failed');
      return;
    }
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const search = q < 0 ? '' : rawUrl.slice(q + 1);
    const target = new URL(`${upstream.origin}${prefix}${rawUrl.startsWith('/') ? '' : '/'}${rawUrl}`);
    const sentHeaders: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) sentHeaders.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
    let forward: Record<string, string> = {};
    for (const [name, value] of sentHeaders) {
      if (HOP_BY_HOP.has(name)) continue;
      forward[name] = forward[name] === undefined ? value : `${forward[name]}, ${value}`;
    }
    // The recording needs the body as it is: no compression.
    forward['accept-encoding'] = 'identity';
    if (options.prepare) forward = await options.prepare({ method: req.method ?? 'POST', url: target, headers: forward, body });
    const outgoing: OutgoingHttpHeaders = { ...forward, host: target.host, 'content-length': String(body.length) };

    const recording: RecordedExchange = {
      request: {
        method: req.method ?? 'POST',
        path,
        query: [...new URLSearchParams(search)],
        headers: sentHeaders,
        body,
      },
      response: { status: 0, headers: [], reads: [], end: 'end' },
      origin: `streamproof record, ${req.method} ${upstream.origin}${prefix}${path}`,
      boundaries: 'recorded',
    };

    const upstreamReq = send(target, { method: req.method, headers: outgoing, agent });
    let clientGone = false;
    let timer: NodeJS.Timeout | undefined;
    let cut: BodyEnd | null = null;
    const deadline = setTimeout(() => stop('hang'), totalMs);
    const armIdle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stop('hang'), idleMs);
    };
    /** Cuts the upstream: it went quiet, or the exchange took too long. */
    function stop(end: BodyEnd): void {
      cut = end;
      upstreamReq.destroy(new Error('streamproof record: upstream idle'));
    }
    let finishing = false;
    res.on('error', () => undefined); // a write after the client left: the close below says so
    res.on('close', () => {
      if (finishing || res.writableFinished) return;
      // The client left: the upstream stops too (a gateway would not keep a provider generating).
      clientGone = true;
      upstreamReq.destroy();
    });

    const outcome = await new Promise<{ response: IncomingMessage | null; error?: string }>((resolve) => {
      upstreamReq.on('response', (r) => resolve({ response: r }));
      upstreamReq.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ response: null, error: cut ? `no response within ${idleMs} ms` : (err.code ?? err.message) }),
      );
      armIdle();
      upstreamReq.end(body);
    });
    const response = outcome.response;
    if (!response || clientGone) {
      clearTimeout(timer);
      clearTimeout(deadline);
      if (clientGone) {
        response?.destroy();
        options.onSkipped(what, 'the client left before the response came (the upstream request was cut too)', 'empty');
        return;
      }
      sendError(res, cut ? 504 : 502, `streamproof record: upstream request failed: ${outcome.error}`);
      options.onSkipped(what, `the upstream request failed (${outcome.error}); answered ${cut ? 504 : 502}`, 'empty');
      return;
    }
    const t0 = performance.now();
    armIdle();
    recording.response.status = response.statusCode ?? 0;
    const received: [string, string][] = [];
    for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
      received.push([response.rawHeaders[i]!.toLowerCase(), response.rawHeaders[i + 1]!]);
    recording.response.headers = received;
    const back: OutgoingHttpHeaders = {};
    for (const [name, value] of received) {
      if (HOP_BY_HOP_RESPONSE.has(name)) continue;
      const prior = back[name];
      back[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [String(prior), value];
    }
    res.writeHead(response.statusCode ?? 502, response.statusMessage, back);
    res.flushHeaders();

    let kept = 0;
    let overflow = false;
    const reads: Read[] = recording.response.reads;
    const end = await new Promise<BodyEnd>((resolve) => {
      response.on('data', (chunk: Buffer) => {
        const at = Math.round(performance.now() - t0);
        // Forward first: the client must not wait on the recording.
        const flushed = clientGone || res.write(chunk);
        armIdle();
        if (!overflow) {
          kept += chunk.length;
          if (kept + body.length > maxBytes) {
            overflow = true;
            reads.length = 0;
          } else reads.push({ bytes: Buffer.from(chunk), at });
        }
        // A client that cannot keep up slows the upstream only past the byte bound.
        if (!flushed && res.writableLength > maxBytes) {
          response.pause();
          res.once('drain', () => response.resume());
        }
      });
      response.on('end', () => resolve('end'));
      response.on('error', () => resolve(cut ?? 'reset'));
      response.on('close', () => resolve(cut ?? (response.complete ? 'end' : 'reset')));
    });
    clearTimeout(timer);
    clearTimeout(deadline);
    recording.response.end = end;
    finishing = true;
    if (clientGone) {
      options.onSkipped(what, 'the client left before the end of the response (the upstream request was cut too)', 'empty');
      return;
    }
    if (end === 'end') {
      res.end();
      await once(res, 'close').catch(() => undefined);
    } else if (end === 'reset') (res.socket as Socket | null)?.resetAndDestroy();
    else res.destroy();

    if (recording.request.method !== 'POST') {
      options.onSkipped(what, 'only POST exchanges (model calls) are recorded; this one was proxied', 'passed');
      return;
    }
    if (overflow) {
      options.onSkipped(what, `the exchange is over ${maxBytes} bytes: it was proxied, not recorded`, 'failed');
      return;
    }
    recorded++;
    const job = options
      .onExchange(recording)
      .catch((err: Error) => options.onSkipped(what, `the cassette could not be made: ${err.message}`, 'failed'));
    pending.add(job);
    void job.finally(() => pending.delete(job));
  }

  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get recorded() {
      return recorded;
    },
    get active() {
      return active;
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      agent.destroy();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/** The request body, or null when it is over the bound (the rest is drained, not kept). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) parts.push(chunk);
  }
  return size > max ? null : Buffer.concat(parts);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ error: { message, type: 'streamproof_record_error', code: null } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
