// The part of a Bedrock stream decoder that both Bedrock APIs share: event-stream frames from
// arbitrary reads, each `event` payload parsed once and handed on by its `:event-type`, exception
// and error frames turned into the terminal error, framing corruption into a 'malformed' error,
// and EOF before the API's terminal event (or inside a frame) into a 'truncated' one.
import type { CanonicalEvent } from '../../canonical/events.ts';
import { createEventStreamReader, EventStreamFramingError, type EventStreamFrame } from '../../eventstream/frame-reader.ts';
import type { StreamDecoder } from '../types.ts';
import { exceptionEvent, unmodeledErrorEvent } from './exceptions.ts';

export type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

export interface BedrockEventHandler {
  /** One `event` frame's parsed JSON object; returns a terminal error to end the stream with, or null. */
  event(eventType: string, payload: Record<string, unknown>, out: CanonicalEvent[]): ErrorEvent | null;
  /** True once the API's terminal event has come (EOF before it is a truncation). */
  complete(): boolean;
  /** Said when the stream ends before `complete()`. */
  readonly incompleteMessage: string;
}

export function createBedrockDecoder(handler: BedrockEventHandler): StreamDecoder {
  const reader = createEventStreamReader();
  let failed = false;

  function fail(event: ErrorEvent, out: CanonicalEvent[]): void {
    failed = true;
    out.push(event);
  }

  function frame(f: EventStreamFrame, out: CanonicalEvent[]): void {
    const messageType = f.headers[':message-type'];
    if (messageType === 'exception') {
      return fail(exceptionEvent(String(f.headers[':exception-type'] ?? 'exception'), f.payload), out);
    }
    if (messageType === 'error') {
      return fail(unmodeledErrorEvent(String(f.headers[':error-code'] ?? 'error'), String(f.headers[':error-message'] ?? '')), out);
    }
    if (messageType !== 'event') {
      // The AWS SDK rejects any other message type too.
      return fail(malformed(`Bedrock frame at byte ${f.offset} has :message-type ${JSON.stringify(messageType ?? null)}`), out);
    }
    const eventType = String(f.headers[':event-type'] ?? '');
    let payload: unknown;
    try {
      payload = JSON.parse(f.payload.toString('utf8'));
    } catch {
      return fail(malformed(`Bedrock ${eventType} event at byte ${f.offset} is not JSON: ${preview(f.payload)}`), out);
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return fail(malformed(`Bedrock ${eventType} event at byte ${f.offset} is not a JSON object: ${preview(f.payload)}`), out);
    }
    const error = handler.event(eventType, payload as Record<string, unknown>, out);
    if (error) fail(error, out);
  }

  return {
    feed(chunk, out) {
      if (failed) return;
      try {
        reader.feed(chunk, (f) => {
          if (!failed) frame(f, out);
        });
      } catch (err) {
        if (!(err instanceof EventStreamFramingError)) throw err;
        if (!failed) fail(malformed(`upstream event stream is corrupt: ${err.message}`), out);
      }
    },
    end(out) {
      if (failed) return;
      const cut = reader.end();
      if (cut) return fail({ type: 'error', kind: 'truncated', message: `upstream stream was cut: ${cut.message}` }, out);
      if (!handler.complete()) fail({ type: 'error', kind: 'truncated', message: handler.incompleteMessage }, out);
    },
    get bufferedBytes() {
      return reader.bufferedBytes;
    },
  };
}

export function malformed(message: string): ErrorEvent {
  return { type: 'error', kind: 'malformed', message };
}

function preview(bytes: Buffer): string {
  const s = bytes.subarray(0, 121).toString('utf8');
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
