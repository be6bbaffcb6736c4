// The skeleton every provider stream decoder shares: feed, end and fail, and one terminal flag.
// A decoder says how bytes are read (`decode`), what held input to drop when the body ends
// (`flush`), and what an end of the body means while the stream is still open (`endOfStream`:
// a truncation, or the stream's last events). SseDecoder adds the SSE framing most dialects share.
//
// Classes rather than closures: one decoder per open stream, so the methods live on the prototype
// and each instance is only its fields. Events go to the caller's array of the current feed or
// end call (`out`), so reading an event allocates nothing beyond the events themselves.
import type { CanonicalEvent } from '../canonical/events.ts';
import { createSseParser, type SseEvent, type SseParser, type SseParserHandlers } from '../sse/parser.ts';
import type { DecoderContext, StreamDecoder } from './types.ts';

export type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

/** Where events would go before the first feed (never written to: events only come from feed and end). */
const NO_SINK: CanonicalEvent[] = [];

export abstract class DecoderBase implements StreamDecoder {
  /**
   * True once the stream is over for this decoder: its terminal event came, it failed, or the body
   * ended. Nothing is emitted after it.
   */
  protected closed = false;
  /** The caller's event array of the feed or end call in progress. */
  protected out: CanonicalEvent[] = NO_SINK;

  abstract readonly bufferedBytes: number;

  feed(chunk: Buffer, out: CanonicalEvent[]): void {
    this.out = out;
    this.decode(chunk);
  }

  end(out: CanonicalEvent[]): void {
    this.out = out;
    this.flush();
    if (this.closed) return;
    this.closed = true;
    this.endOfStream();
  }

  /** Ends the stream with an error. */
  protected fail(event: ErrorEvent): void {
    this.out.push(event);
    this.closed = true;
  }

  /** The bytes of one feed (also called once closed: a decoder that still reads them only emits nothing). */
  protected abstract decode(chunk: Buffer): void;

  /** The body ended (on every end call): drop held input. */
  protected flush(): void {}

  /** The body ended while the stream was open: push the truncation error, or the stream's last events. */
  protected abstract endOfStream(): void;
}

/**
 * A decoder of an SSE body: the decoder is the parser's handler, and `event` sees each event until
 * the stream is closed. Bytes after the close are still parsed (an oversized line still throws).
 */
export abstract class SseDecoder extends DecoderBase implements SseParserHandlers {
  private readonly parser: SseParser;

  /** `limits`: the request's decoder context (or just its maxLineBytes). */
  constructor(limits: number | undefined | Pick<DecoderContext, 'maxLineBytes' | 'maxEventBytes'>) {
    super();
    this.parser = createSseParser(
      this,
      typeof limits === 'object' ? { maxLineBytes: limits.maxLineBytes, maxEventBytes: limits.maxEventBytes } : { maxLineBytes: limits },
    );
  }

  get bufferedBytes(): number {
    return this.parser.bufferedBytes;
  }

  /** The SSE parser's callback. */
  onEvent(ev: SseEvent): void {
    if (!this.closed) this.event(ev);
  }

  protected decode(chunk: Buffer): void {
    this.parser.feed(chunk);
  }

  protected override flush(): void {
    this.parser.end();
  }

  /** One SSE event while the stream is open. */
  protected abstract event(ev: SseEvent): void;
}
