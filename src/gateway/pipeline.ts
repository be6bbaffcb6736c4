// The per-stream path from upstream bytes to client bytes, in the two modes a route can use.
// Both are synchronous transforms (bytes in, bytes out) so the server can apply backpressure
// around them and tests can drive them with exact read boundaries.
import type { CanonicalEvent, ErrorKind } from '../canonical/events.ts';
import { createOpenAIChatEncoder, type OpenAIChatEncoder } from '../canonical/openai-chat-encoder.ts';
import { createSseParser, SseEventTooLargeError } from '../sse/parser.ts';
import type { DecoderContext, ProviderDescriptor, StreamDecoder } from '../providers/types.ts';
import { errorTypeFor } from '../canonical/openai-chat-encoder.ts';
import { redactSecrets } from './redact.ts';

export interface StreamPipeline {
  /** Client bytes to write as soon as the stream opens (a synthesised role chunk), or ''. */
  open(): string;
  /** Upstream bytes in; client bytes out (possibly empty). */
  feed(chunk: Buffer): string | Buffer;
  /** The upstream body ended cleanly (EOF). */
  end(): string;
  /** The upstream failed mid-body (reset, timeout): ends the client stream with an error. */
  fail(message: string, kind?: ErrorKind): string;
  /** Bytes held inside the pipeline (parser remainders), for the memory gauge. */
  readonly bufferedBytes: number;
  /** SSE events written to the client so far (for the events-per-stream metric). */
  readonly eventsOut: number;
  /** True once the client stream was ended by an error event rather than a clean end. */
  readonly failed: boolean;
  /** True once the terminal event went out: nothing more will be written to the client. */
  readonly done: boolean;
}

export interface PipelineOptions {
  provider: ProviderDescriptor;
  context: DecoderContext;
  includeUsage: boolean;
  /** Values redacted from error messages before they reach the client (see redact.ts). */
  secrets?: readonly string[];
}

/** Native stream → canonical events → OpenAI chat chunks. */
export function createNormalizingPipeline(options: PipelineOptions): StreamPipeline {
  return new NormalizingPipeline(options);
}

// A class rather than a closure: one pipeline per open stream (see src/sse/parser.ts).
class NormalizingPipeline implements StreamPipeline {
  private readonly decoder: StreamDecoder;
  private readonly encoder: OpenAIChatEncoder;
  private readonly synthesizes: boolean;
  private readonly events: CanonicalEvent[] = [];
  private out = 0;
  private hasFailed = false;
  private readonly secrets: readonly string[];

  constructor({ provider, context, includeUsage, secrets = [] }: PipelineOptions) {
    this.secrets = secrets;
    this.decoder = provider.createStreamDecoder(context);
    this.synthesizes = provider.synthesizesStream === true;
    this.encoder = createOpenAIChatEncoder({
      includeUsage,
      fallbackStart: () => ({ id: context.newId('chatcmpl-'), model: context.model, created: context.now() }),
    });
  }

  get bufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  get eventsOut(): number {
    return this.out;
  }

  get failed(): boolean {
    return this.hasFailed;
  }

  get done(): boolean {
    return this.encoder.closed;
  }

  open(): string {
    return this.synthesizes ? this.counted(this.encoder.open()) : '';
  }

  feed(chunk: Buffer): string {
    if (this.encoder.closed) return '';
    try {
      this.decoder.feed(chunk, this.events);
    } catch (err) {
      this.undecodable(err);
    }
    return this.drain();
  }

  end(): string {
    if (this.encoder.closed) return '';
    try {
      this.decoder.end(this.events);
    } catch (err) {
      this.undecodable(err);
    }
    const out = this.drain();
    return out + this.counted(this.encoder.finish());
  }

  fail(message: string, kind: ErrorKind = 'upstream'): string {
    if (this.encoder.closed) return '';
    // The upstream may have sent its terminal event already and only misbehaved after it (kept
    // the response open, reset it): then the stream is complete and ends as one. Decoders do
    // not say when they saw the end, so ask the one that knows: end() reports a truncation or not.
    const probe: CanonicalEvent[] = [];
    try {
      this.decoder.end(probe);
    } catch {
      probe.push({ type: 'error', kind: 'malformed', message });
    }
    if (!probe.some((e) => e.type === 'error')) {
      this.events.push(...probe);
      return this.drain() + this.counted(this.encoder.finish());
    }
    this.hasFailed = true;
    return this.counted(this.encoder.encode({ type: 'error', kind, message }));
  }

  /** A decoder error (oversized line or event, broken framing) ends the stream with an error, never a crash. */
  private undecodable(err: unknown): void {
    const message =
      err instanceof SseEventTooLargeError ? eventTooLarge(err.limit) : `upstream stream could not be decoded: ${(err as Error).message}`;
    this.events.push({ type: 'error', kind: 'malformed', message });
  }

  private drain(): string {
    const events = this.events;
    let out = '';
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.type === 'error') {
        if (!this.encoder.closed) this.hasFailed = true;
        if (this.secrets.length > 0) event.message = redactSecrets(event.message, this.secrets);
      }
      out += this.encoder.encode(event);
    }
    events.length = 0;
    return this.counted(out);
  }

  // The encoder writes compact JSON (no raw line breaks), so every blank line ends one event.
  private counted(out: string): string {
    for (let i = out.indexOf('\n\n'); i !== -1; i = out.indexOf('\n\n', i + 2)) this.out++;
    return out;
  }
}

/**
 * OpenAI-compatible upstream bytes forwarded unchanged, cut at event boundaries so the client
 * never sees half an event. JSON is not parsed: only `[DONE]` and errors are looked for, so a
 * stream that ends without either is still reported to the client as an error.
 */
export function createPassthroughPipeline(
  options: { maxLineBytes?: number; maxEventBytes?: number; secrets?: readonly string[] } = {},
): StreamPipeline {
  const secrets = options.secrets ?? [];
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  let errorSinceCut = false; // an error event is among the bytes up to the next cut: redact them
  let held: Buffer[] = []; // raw bytes since the last boundary
  let heldBytes = 0;
  let heldStart = 0; // absolute offset of held[0]
  let cut = 0; // absolute offset up to which bytes may be forwarded
  let sawDone = false;
  let sawError = false;
  let closed = false;
  let failed = false;
  let eventsOut = 0;
  const parser = createSseParser(
    {
      onEvent(ev) {
        eventsOut++;
        if (ev.data === '[DONE]') sawDone = true;
        else if (ev.type === 'error' || ERROR_PAYLOAD.test(ev.data)) {
          sawError = true;
          errorSinceCut = true;
        }
      },
      onBoundary(offset) {
        cut = offset;
      },
    },
    { maxLineBytes: options.maxLineBytes, maxEventBytes },
  );

  function takeUpToCut(): Buffer {
    const n = cut - heldStart;
    if (n <= 0) return EMPTY;
    const all = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    held = rest.length ? [rest] : [];
    heldBytes = rest.length;
    heldStart = cut;
    if (errorSinceCut) {
      errorSinceCut = false;
      if (secrets.length > 0) {
        const text = out.toString('utf8');
        const clean = redactSecrets(text, secrets);
        if (clean !== text) return Buffer.from(clean, 'utf8');
      }
    }
    return out;
  }

  function errorEvent(message: string, kind: ErrorKind = 'upstream'): string {
    failed = true;
    eventsOut++;
    return `data: ${JSON.stringify({ error: { message, type: errorTypeFor(kind), param: null, code: null } })}\n\n`;
  }

  return {
    open() {
      return '';
    },
    feed(chunk) {
      if (closed) return EMPTY;
      held.push(chunk);
      heldBytes += chunk.length;
      let problem: string | null = null;
      try {
        parser.feed(chunk);
      } catch (err) {
        problem =
          err instanceof SseEventTooLargeError
            ? eventTooLarge(err.limit)
            : `upstream stream could not be decoded: ${(err as Error).message}`;
      }
      const out = takeUpToCut();
      // Held bytes are one unfinished event (every line of it, comments too): bounded like its data.
      if (problem === null && heldBytes > maxEventBytes) problem = eventTooLarge(maxEventBytes);
      if (problem === null) return out;
      closed = true;
      held = [];
      heldBytes = 0;
      return Buffer.concat([out, Buffer.from(errorEvent(problem))]);
    },
    end() {
      if (closed) return '';
      closed = true;
      parser.end();
      if (sawError) failed = true;
      if (sawDone || sawError) return '';
      return errorEvent('upstream stream ended before [DONE]', 'truncated');
    },
    fail(message, kind = 'upstream') {
      if (closed) return '';
      closed = true;
      return errorEvent(message, kind);
    },
    get bufferedBytes() {
      return heldBytes + parser.bufferedBytes;
    },
    get eventsOut() {
      return eventsOut;
    },
    get failed() {
      return failed || sawError;
    },
    get done() {
      // Only [DONE] ends a passthrough stream early: events after an in-band error are forwarded as sent.
      return sawDone || closed;
    },
  };
}

const EMPTY = Buffer.alloc(0);
/** The gateway's default for limits.maxEventBytes (config.ts), and the SSE parser's. */
const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

function eventTooLarge(limit: number): string {
  return `upstream sent an SSE event of more than ${limit} bytes without ending it (limits.maxEventBytes)`;
}
// OpenAI and vLLM error payloads; checked with a prefix test so passthrough never parses JSON.
const ERROR_PAYLOAD = /^\s*\{\s*"(?:error"\s*:|object"\s*:\s*"error")/;
