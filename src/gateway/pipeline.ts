// The per-stream path from upstream bytes to client bytes, in the two modes a route can use.
// Both are synchronous transforms (bytes in, bytes out) so the server can apply backpressure
// around them and tests can drive them with exact read boundaries.
import type { CanonicalEvent } from '../canonical/events.ts';
import { createOpenAIChatEncoder } from '../canonical/openai-chat-encoder.ts';
import { createSseParser } from '../sse/parser.ts';
import type { DecoderContext, ProviderDescriptor } from '../providers/types.ts';
import { errorTypeFor } from '../canonical/openai-chat-encoder.ts';

export interface StreamPipeline {
  /** Client bytes to write as soon as the stream opens (a synthesised role chunk), or ''. */
  open(): string;
  /** Upstream bytes in; client bytes out (possibly empty). */
  feed(chunk: Buffer): string | Buffer;
  /** The upstream body ended cleanly (EOF). */
  end(): string;
  /** The upstream failed mid-body (reset, timeout): ends the client stream with an error. */
  fail(message: string): string;
  /** Bytes held inside the pipeline (parser remainders), for the memory gauge. */
  readonly bufferedBytes: number;
}

export interface PipelineOptions {
  provider: ProviderDescriptor;
  context: DecoderContext;
  includeUsage: boolean;
}

/** Native stream → canonical events → OpenAI chat chunks. */
export function createNormalizingPipeline({ provider, context, includeUsage }: PipelineOptions): StreamPipeline {
  const decoder = provider.createStreamDecoder(context);
  const encoder = createOpenAIChatEncoder({
    includeUsage,
    fallbackStart: () => ({ id: context.newId('chatcmpl-'), model: context.model, created: context.now() }),
  });
  const events: CanonicalEvent[] = [];

  function drain(): string {
    let out = '';
    for (let i = 0; i < events.length; i++) out += encoder.encode(events[i]!);
    events.length = 0;
    return out;
  }

  function decodeSafely(step: () => void): string {
    try {
      step();
    } catch (err) {
      // A decoder error (oversized line, broken framing) ends the stream with an error, never a crash.
      events.push({ type: 'error', kind: 'malformed', message: `upstream stream could not be decoded: ${(err as Error).message}` });
    }
    return drain();
  }

  return {
    open() {
      return provider.synthesizesStream ? encoder.open() : '';
    },
    feed(chunk) {
      if (encoder.closed) return '';
      return decodeSafely(() => decoder.feed(chunk, events));
    },
    end() {
      if (encoder.closed) return '';
      const out = decodeSafely(() => decoder.end(events));
      return out + encoder.finish();
    },
    fail(message) {
      if (encoder.closed) return '';
      return encoder.encode({ type: 'error', kind: 'upstream', message });
    },
    get bufferedBytes() {
      return decoder.bufferedBytes;
    },
  };
}

/**
 * OpenAI-compatible upstream bytes forwarded unchanged, cut at event boundaries so the client
 * never sees half an event. JSON is not parsed: only `[DONE]` and errors are looked for, so a
 * stream that ends without either is still reported to the client as an error.
 */
export function createPassthroughPipeline(options: { maxLineBytes?: number } = {}): StreamPipeline {
  let held: Buffer[] = []; // raw bytes since the last boundary
  let heldBytes = 0;
  let heldStart = 0; // absolute offset of held[0]
  let cut = 0; // absolute offset up to which bytes may be forwarded
  let sawDone = false;
  let sawError = false;
  let closed = false;
  const parser = createSseParser(
    {
      onEvent(ev) {
        if (ev.data === '[DONE]') sawDone = true;
        else if (ev.type === 'error' || ERROR_PAYLOAD.test(ev.data)) sawError = true;
      },
      onBoundary(offset) {
        cut = offset;
      },
    },
    { maxLineBytes: options.maxLineBytes },
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
    return out;
  }

  function errorEvent(message: string): string {
    return `data: ${JSON.stringify({ error: { message, type: errorTypeFor('upstream'), param: null, code: null } })}\n\n`;
  }

  return {
    open() {
      return '';
    },
    feed(chunk) {
      if (closed) return EMPTY;
      held.push(chunk);
      heldBytes += chunk.length;
      try {
        parser.feed(chunk);
      } catch (err) {
        const out = takeUpToCut();
        closed = true;
        return Buffer.concat([out, Buffer.from(errorEvent(`upstream stream could not be decoded: ${(err as Error).message}`))]);
      }
      return takeUpToCut();
    },
    end() {
      if (closed) return '';
      closed = true;
      parser.end();
      if (sawDone || sawError) return '';
      return errorEvent('upstream stream ended before [DONE]');
    },
    fail(message) {
      if (closed) return '';
      closed = true;
      return errorEvent(message);
    },
    get bufferedBytes() {
      return heldBytes + parser.bufferedBytes;
    },
  };
}

const EMPTY = Buffer.alloc(0);
// OpenAI and vLLM error payloads; checked with a prefix test so passthrough never parses JSON.
const ERROR_PAYLOAD = /^\s*\{\s*"(?:error"\s*:|object"\s*:\s*"error")/;
