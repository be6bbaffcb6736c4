// One upstream attempt on one route, from the request to the last client byte. Until the first
// byte is written to the client the attempt can still fail "cleanly" (the caller may retry or
// fall back); after that, whatever goes wrong ends the client stream with an error event.
import type { ServerResponse } from 'node:http';
import { aggregateChatCompletion } from '../canonical/chat-completion.ts';
import type { CanonicalEvent } from '../canonical/events.ts';
import { errorEventFromBody, errorKind } from '../providers/openai-compatible/errors.ts';
import type { ChatRequest, DecoderContext } from '../providers/types.ts';
import { parseRetryAfter } from './backoff.ts';
import { createClientWriter, SSE_HEADERS, type ClientWriter } from './client-writer.ts';
import { requestContext } from './context.ts';
import type { GatewayConfig } from './config.ts';
import { describeNetworkError, sendError, timeoutMessage, type AttemptFailure, type ErrorEvent } from './errors.ts';
import type { RequestOutcome } from './metrics.ts';
import { createNormalizingPipeline, createPassthroughPipeline, type StreamPipeline } from './pipeline.ts';
import type { RequestGuard } from './request-guard.ts';
import type { RouteRuntime } from './route-runtime.ts';
import { startUpstreamCall, type UpstreamCall } from './upstream-call.ts';
import { iteratorSource, sendUpstream, type BodySink, type BodySource, type UpstreamResponse } from './upstream-body.ts';
import { parseJson } from '../base/json.ts';
import { redactSecrets } from './redact.ts';

export interface AttemptInput {
  route: RouteRuntime;
  /** The client's request with the model this route sends upstream. */
  body: ChatRequest;
  /** The client's raw request body (deterministic ids derive from it). */
  raw: Buffer;
  res: ServerResponse;
  guard: RequestGuard;
  config: GatewayConfig;
  pipelines: Set<StreamPipeline>;
  /** The upstream's first body byte arrived (the route answered). */
  onUpstreamFirstByte(): void;
  /** The first byte went to the client: no more retries from here. */
  onCommit(): void;
  onHeartbeat(): void;
}

export type AttemptOutcome =
  | { served: true; outcome: RequestOutcome; events: number; upstreamFault: boolean }
  | { served: false; failure: AttemptFailure };

/** How long the upstream may take to reach EOF after the client's stream has ended. */
const DRAIN_AFTER_DONE_MS = 1_000;

type Reader = BodySource;
type Read = IteratorResult<Buffer>;

export async function serveAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const { route, body, guard } = input;
  const provider = route.provider;
  const clientStreams = body.stream === true;
  // OpenAI-compatible upstreams answer a non-streaming client themselves; every other upstream
  // is read as a stream and its events aggregated into one chat.completion.
  const forwardJson = !clientStreams && provider.supportsPassthrough;
  let upstream: Awaited<ReturnType<typeof provider.buildRequest>>;
  try {
    upstream = await provider.buildRequest(forwardJson ? body : { ...body, stream: true }, route.upstream);
  } catch (err) {
    // The request cannot be said in this provider's dialect (n > 1, an unsupported content part…):
    // the client's to fix, answered 400 like an upstream refusal, never retried.
    const message = `${provider.name} cannot take this request: ${(err as Error).message}`;
    return { served: false, failure: { kind: 'status', status: 400, error: { type: 'error', kind: 'bad_request', message } } };
  }
  const call = startUpstreamCall(route.policy.timeouts);
  guard.track(call);
  try {
    const query = new URLSearchParams(upstream.query).toString();
    const url = `${route.upstream.baseUrl}${upstream.path}${query ? `?${query}` : ''}`;
    let response: UpstreamResponse;
    let reader: Reader;
    let first: Read;
    try {
      const sent = sendUpstream(route.dispatcher, url, {
        method: upstream.method,
        headers: upstream.headers,
        body: upstream.body,
        signal: call.signal,
      });
      // Straico sends its headers only with its answer, seconds later: once a heartbeat interval
      // passes without them, the client stream opens anyway (role chunk, then heartbeats) and a
      // late error status becomes an error event. No retry is possible after that point.
      if (
        clientStreams &&
        provider.synthesizesStream &&
        input.config.heartbeatMs > 0 &&
        !(await settlesWithin(sent, input.config.heartbeatMs))
      ) {
        const late = iteratorSource(answerBody(sent, input.route.secrets));
        return await streamEvents(input, call, late, null, requestContextFor(input, body.model));
      }
      response = await sent;
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const error = upstreamError(response.statusCode, redactSecrets(await readUpstreamText(response.body), input.route.secrets));
        const failure: AttemptFailure = { kind: 'status', status: response.statusCode, error };
        const retryAfterMs = parseRetryAfter(response.headers);
        if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
        return { served: false, failure };
      }
      reader = response.body;
      // A synthesised stream opens for the client as soon as the upstream accepted the request
      // (role chunk, then heartbeats while it works), so its first byte is read after the commit.
      if (clientStreams && provider.synthesizesStream) {
        return await streamEvents(input, call, reader, null, requestContextFor(input, body.model));
      }
      first = await reader.next();
    } catch (err) {
      return { served: false, failure: failureOf(err, call, route) };
    }
    call.started();
    input.onUpstreamFirstByte();
    const context = requestContextFor(input, body.model);
    if (clientStreams) return await streamEvents(input, call, reader, first, context);
    if (forwardJson) return await forwardBody(input, call, reader, first);
    return await aggregate(input, call, reader, first, context);
  } finally {
    guard.track(null);
    call.dispose();
    // Whatever path we leave by, an unfinished upstream body is torn down now, not left open.
    call.abort({ gateway: 'discard' });
  }
}

/**
 * `first` is null when the stream opens before the upstream's first byte (synthesised streams).
 * After the first read, the body is pushed read by read into a StreamRelay (no promise per read).
 */
async function streamEvents(
  input: AttemptInput,
  call: UpstreamCall,
  reader: Reader,
  first: Read | null,
  context: DecoderContext,
): Promise<AttemptOutcome> {
  const { route, config, body } = input;
  const includeUsage = (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
  const pipeline =
    route.config.mode === 'passthrough' && route.provider.supportsPassthrough
      ? createPassthroughPipeline({
          maxLineBytes: config.limits.maxLineBytes,
          maxEventBytes: config.limits.maxEventBytes,
          secrets: route.secrets,
        })
      : createNormalizingPipeline({ provider: route.provider, context, includeUsage, secrets: route.secrets });
  const writer = createClientWriter(input.res, {
    headers: SSE_HEADERS,
    heartbeatMs: config.heartbeatMs,
    onCommit: input.onCommit,
    onHeartbeat: input.onHeartbeat,
  });
  input.pipelines.add(pipeline);
  const relay = new StreamRelay(input, call, reader, pipeline, writer);
  try {
    try {
      await writer.write(pipeline.open(), call);
      if (first === null) {
        first = await reader.next();
        call.started();
        input.onUpstreamFirstByte();
      }
    } catch (err) {
      return relay.failed(err);
    }
    if (first.done) return relay.ended();
    try {
      relay.data(first.value);
    } catch (err) {
      return relay.failed(err);
    }
    if (relay.result === null) reader.attach(relay);
    return await relay.finished;
  } finally {
    relay.dispose();
    writer.dispose();
    input.pipelines.delete(pipeline);
  }
}

/**
 * One client stream fed by the upstream body, read by read: each read's client bytes go out in
 * one write; a slow client pauses the upstream until its socket drains. What each outcome means
 * is as it always was: a transport failure before any client byte can still be retried, after it
 * the stream ends with an error event; a stream whose terminal event went out is complete.
 */
class StreamRelay implements BodySink {
  result: AttemptOutcome | null = null;
  readonly finished: Promise<AttemptOutcome>;
  private resolve!: (outcome: AttemptOutcome) => void;
  // Set once the terminal event is out: the client is answered even if the upstream lingers.
  private clientDone = false;
  private drainLimit: NodeJS.Timeout | undefined;
  private waitingForDrain = false;

  constructor(
    private readonly input: AttemptInput,
    private readonly call: UpstreamCall,
    private readonly reader: Reader,
    private readonly pipeline: StreamPipeline,
    private readonly writer: ClientWriter,
  ) {
    this.finished = new Promise((resolve) => (this.resolve = resolve));
  }

  data(chunk: Buffer): void {
    if (this.result !== null) return;
    this.call.touch();
    if (this.clientDone) return;
    const { pipeline, writer } = this;
    const out = pipeline.feed(chunk);
    if (pipeline.done) {
      // The last client bytes and the end of the response in one write.
      writer.end(out);
      this.clientDone = true;
      if (this.input.guard.clientGone) return this.settle(served('client_abort', pipeline.eventsOut));
      // Read on to EOF, which keeps the connection reusable, but not for long: an upstream that
      // lingers or keeps sending after its terminal event is cut off.
      this.drainLimit = setTimeout(() => this.call.abort({ gateway: 'discard' }), DRAIN_AFTER_DONE_MS);
      return;
    }
    const more = writer.send(out);
    if (this.input.guard.clientGone) return this.settle(served('client_abort', pipeline.eventsOut));
    if (!more && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.reader.pause();
      this.call.pause();
      void writer.drained().then(() => {
        this.waitingForDrain = false;
        this.call.resume();
        this.reader.resume();
      });
    }
  }

  end(): void {
    this.settle(this.ended());
  }

  error(err: unknown): void {
    this.settle(this.failed(err));
  }

  /** The upstream body reached EOF. */
  ended(): AttemptOutcome {
    const { pipeline, call } = this;
    // Reads that ended because the gateway aborted the call on a timeout (the total deadline) are
    // that timeout, not an upstream stream that ended early.
    if (!this.clientDone && call.aborted?.gateway === 'timeout') return this.failed(call.aborted);
    if (!this.clientDone) this.writer.end(pipeline.end());
    return served(pipeline.failed ? 'upstream_error' : 'success', pipeline.eventsOut);
  }

  /** The upstream read (or the relay itself) failed. */
  failed(err: unknown): AttemptOutcome {
    const { pipeline, input, call } = this;
    if (this.clientDone) return served(pipeline.failed ? 'upstream_error' : 'success', pipeline.eventsOut);
    const failure = failureOf(err, call, input.route);
    if (failure.kind === 'client_gone') return served('client_abort', pipeline.eventsOut);
    if (!this.writer.committed) return { served: false, failure };
    const timedOut = failure.kind === 'timeout';
    const message = timedOut
      ? timeoutMessage(failure.phase, failure.ms)
      : `upstream stream failed: ${failure.kind === 'network' ? failure.detail : 'unknown error'}`;
    this.writer.end(pipeline.fail(message, timedOut ? 'timeout' : 'upstream'));
    // A stream whose terminal event had arrived is complete, whatever the transport did after it.
    if (!pipeline.failed) return served('success', pipeline.eventsOut, true);
    return served(timedOut ? 'timeout' : 'upstream_error', pipeline.eventsOut, true);
  }

  dispose(): void {
    clearTimeout(this.drainLimit);
  }

  private settle(outcome: AttemptOutcome): void {
    if (this.result !== null) return;
    this.result = outcome;
    this.resolve(outcome);
  }
}

/** A JSON answer from an OpenAI-compatible upstream, forwarded as it arrives. */
async function forwardBody(input: AttemptInput, call: UpstreamCall, reader: Reader, first: Read): Promise<AttemptOutcome> {
  const writer = createClientWriter(input.res, {
    headers: { 'content-type': 'application/json' },
    heartbeatMs: 0,
    onCommit: input.onCommit,
  });
  try {
    for (let read = first; !read.done; read = await reader.next()) {
      call.touch();
      await writer.write(read.value, call);
      if (input.guard.clientGone) return served('client_abort', 0);
    }
    writer.end();
    return served('success', 0);
  } catch (err) {
    const failure = failureOf(err, call, input.route);
    if (failure.kind === 'client_gone') return served('client_abort', 0);
    if (!writer.committed) return { served: false, failure };
    // Half a JSON body: cutting the connection is the only way to tell the client it is incomplete.
    input.res.destroy();
    return served(failure.kind === 'timeout' ? 'timeout' : 'upstream_error', 0, true);
  } finally {
    writer.dispose();
  }
}

/** A streamed upstream answer, aggregated into one chat.completion for a non-streaming client. */
async function aggregate(
  input: AttemptInput,
  call: UpstreamCall,
  reader: Reader,
  first: Read,
  context: DecoderContext,
): Promise<AttemptOutcome> {
  const decoder = input.route.provider.createStreamDecoder(context);
  const events: CanonicalEvent[] = [];
  let read = first;
  try {
    for (;;) {
      if (read.done) {
        decodeSafely(() => decoder.end(events), events);
        break;
      }
      call.touch();
      if (!decodeSafely(() => decoder.feed(read.value as Buffer, events), events)) break;
      read = await reader.next();
    }
  } catch (err) {
    // A transport failure: nothing has reached the client yet, so the caller may still retry.
    const failure = failureOf(err, call, input.route);
    if (failure.kind === 'client_gone') return served('client_abort', 0);
    return { served: false, failure };
  }
  const result = aggregateChatCompletion(events, { id: context.newId('chatcmpl-'), model: context.model, created: context.now() });
  input.onCommit();
  if (!result.ok) {
    const e = result.error;
    sendError(input.res, e.status ?? 502, e.kind, e.message, e.code ?? null, e.errorType);
    return served('upstream_error', 0);
  }
  input.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(result.json) });
  input.res.end(result.json);
  return served('success', 0);
}

/** Runs a decoder step; a decoder error becomes a terminal error event (false: stop reading). */
function decodeSafely(step: () => void, events: CanonicalEvent[]): boolean {
  try {
    step();
    return true;
  } catch (err) {
    events.push({ type: 'error', kind: 'malformed', message: `upstream stream could not be decoded: ${(err as Error).message}` });
    return false;
  }
}

function served(outcome: RequestOutcome, events: number, upstreamFault = false): AttemptOutcome {
  return { served: true, outcome, events, upstreamFault };
}

/** What a thrown request/body error means: a gateway clock, the client leaving, or the network. */
function failureOf(err: unknown, call: UpstreamCall, route: RouteRuntime): AttemptFailure {
  const reason = call.aborted;
  if (reason?.gateway === 'timeout') return { kind: 'timeout', phase: reason.phase, ms: reason.ms };
  if (reason?.gateway === 'client_gone') return { kind: 'client_gone' };
  const code = (err as { code?: string }).code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'timeout', phase: 'connect', ms: route.policy.timeouts.connectMs };
  return { kind: 'network', detail: describeNetworkError(err) };
}

/** An upstream error status and body as a canonical error, keeping the provider's message. */
function upstreamError(status: number, text: string): ErrorEvent {
  const parsed = parseJson(text);
  // Not JSON, or not an object or array: the text itself goes into the message below.
  if (parsed !== null && typeof parsed === 'object') return errorEventFromBody(parsed as Record<string, unknown>, status);
  const message = text.trim() ? `upstream answered ${status}: ${text.trim().slice(0, 500)}` : `upstream answered ${status}`;
  return { type: 'error', kind: errorKind(status), message, status };
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

/** Ids and clock for this request (fixed and request-derived in deterministic mode). */
function requestContextFor(input: AttemptInput, model: string): DecoderContext {
  const { config } = input;
  return requestContext({
    model,
    rawRequest: input.raw,
    maxLineBytes: config.limits.maxLineBytes,
    maxEventBytes: config.limits.maxEventBytes,
    fixedCreated: config.deterministic?.created,
  });
}

/** True when the promise settles (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The body of a response that had not arrived when the client stream opened. */
async function* answerBody(sent: Promise<UpstreamResponse>, secrets: readonly string[]): AsyncGenerator<Buffer> {
  const response = await sent;
  if (response.statusCode < 200 || response.statusCode >= 300) {
    const error = upstreamError(response.statusCode, redactSecrets(await readUpstreamText(response.body), secrets));
    throw new Error(`upstream answered ${response.statusCode}: ${error.message}`);
  }
  yield* response.body as AsyncIterable<Buffer>;
}
