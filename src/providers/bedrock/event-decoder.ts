// The part of a Bedrock stream decoder that both Bedrock APIs share: event-stream frames from
// arbitrary reads, each `event` payload parsed once and handed on by its `:event-type`, exception
// and error frames turned into the terminal error, framing corruption into a 'malformed' error,
// and EOF before the API's terminal event (or inside a frame) into a 'truncated' one.
import type { CanonicalEvent } from '../../canonical/events.ts';
import {
  createEventStreamReader,
  EventStreamFramingError,
  type EventStreamFrame,
  type EventStreamReader,
} from '../../eventstream/frame-reader.ts';
import type { StreamDecoder } from '../types.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../base/json.ts';
import { DecoderBase, type ErrorEvent } from '../decoder-base.ts';
import { exceptionEvent, unmodeledErrorEvent } from './exceptions.ts';

export interface BedrockEventHandler {
  /** One `event` frame's parsed JSON object; returns a terminal error to end the stream with, or null. */
  event(eventType: string, payload: JsonObject, out: CanonicalEvent[]): ErrorEvent | null;
  /** True once the API's terminal event has come (EOF before it is a truncation). */
  complete(): boolean;
  /** Said when the stream ends before `complete()`. */
  readonly incompleteMessage: string;
}

/**
 * The shared decoder: a subclass says what an `event` frame means (`event`) and when the stream is
 * complete (`complete`). Bytes after the stream closed are not read.
 */
export abstract class BedrockStreamDecoder extends DecoderBase {
  private readonly reader: EventStreamReader = createEventStreamReader();

  /** One `event` frame's parsed JSON object; returns a terminal error to end the stream with, or null. */
  protected abstract event(eventType: string, payload: JsonObject, out: CanonicalEvent[]): ErrorEvent | null;
  /** True once the API's terminal event has come (EOF before it is a truncation). */
  protected abstract complete(): boolean;
  /** Said when the stream ends before `complete()`. */
  protected abstract readonly incompleteMessage: string;

  get bufferedBytes(): number {
    return this.reader.bufferedBytes;
  }

  protected decode(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.reader.feed(chunk, (f) => {
        if (!this.closed) this.frame(f);
      });
    } catch (err) {
      if (!(err instanceof EventStreamFramingError)) throw err;
      if (!this.closed) this.fail(malformed(`upstream event stream is corrupt: ${err.message}`));
    }
  }

  protected endOfStream(): void {
    const cut = this.reader.end();
    if (cut) return this.fail({ type: 'error', kind: 'truncated', message: `upstream stream was cut: ${cut.message}` });
    if (!this.complete()) this.fail({ type: 'error', kind: 'truncated', message: this.incompleteMessage });
  }

  private frame(f: EventStreamFrame): void {
    const messageType = f.headers[':message-type'];
    if (messageType === 'exception') {
      return this.fail(exceptionEvent(String(f.headers[':exception-type'] ?? 'exception'), f.payload));
    }
    if (messageType === 'error') {
      return this.fail(unmodeledErrorEvent(String(f.headers[':error-code'] ?? 'error'), String(f.headers[':error-message'] ?? '')));
    }
    if (messageType !== 'event') {
      // The AWS SDK rejects any other message type too.
      return this.fail(malformed(`Bedrock frame at byte ${f.offset} has :message-type ${JSON.stringify(messageType ?? null)}`));
    }
    const eventType = String(f.headers[':event-type'] ?? '');
    const payload = parseJson(f.payload.toString('utf8'));
    if (payload === undefined) {
      return this.fail(malformed(`Bedrock ${eventType} event at byte ${f.offset} is not JSON: ${preview(f.payload)}`));
    }
    if (!isJsonObject(payload)) {
      return this.fail(malformed(`Bedrock ${eventType} event at byte ${f.offset} is not a JSON object: ${preview(f.payload)}`));
    }
    const error = this.event(eventType, payload, this.out);
    if (error) this.fail(error);
  }
}

/** The shared decoder driven by a handler object (for decoders that are not subclasses). */
export function createBedrockDecoder(handler: BedrockEventHandler): StreamDecoder {
  return new HandlerBedrockDecoder(handler);
}

class HandlerBedrockDecoder extends BedrockStreamDecoder {
  constructor(private readonly handler: BedrockEventHandler) {
    super();
  }

  protected get incompleteMessage(): string {
    return this.handler.incompleteMessage;
  }

  protected event(eventType: string, payload: JsonObject, out: CanonicalEvent[]): ErrorEvent | null {
    return this.handler.event(eventType, payload, out);
  }

  protected complete(): boolean {
    return this.handler.complete();
  }
}

export function malformed(message: string): ErrorEvent {
  return { type: 'error', kind: 'malformed', message };
}

function preview(bytes: Buffer): string {
  const s = bytes.subarray(0, 121).toString('utf8');
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
