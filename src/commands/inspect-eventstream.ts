// `streamproof inspect --format eventstream`: each AWS event-stream frame as one JSON line,
// {"headers":{name: value},"payload":<parsed JSON, or the text if it is not JSON>}, plus
// "decoded":<the inner event> for Bedrock InvokeModel `chunk` frames, whose payload carries one
// provider event base64-encoded in `bytes`. Corrupt framing throws EventStreamFramingError, which
// names the byte offset of the frame.
import { createEventStreamReader, type EventStreamFrame } from '../eventstream/frame-reader.ts';
import { parseJson } from '../base/json.ts';

export interface EventStreamInspector {
  /** Bytes in; `emit` gets one JSON line per frame they complete (also those before a corrupt frame). */
  feed(chunk: Uint8Array): void;
  /** End of input: throws if it ended inside a frame. */
  end(): void;
}

export function createEventStreamInspector(emit: (line: string) => void): EventStreamInspector {
  const reader = createEventStreamReader();
  return {
    feed: (chunk) => reader.feed(chunk, (frame) => emit(frameLine(frame))),
    end() {
      const cut = reader.end();
      if (cut) throw cut;
    },
  };
}

function frameLine(frame: EventStreamFrame): string {
  const payload = jsonOrText(frame.payload.toString('utf8'));
  const record: Record<string, unknown> = { headers: frame.headers, payload };
  const bytes = (payload as { bytes?: unknown } | null)?.bytes;
  if (frame.headers[':event-type'] === 'chunk' && typeof bytes === 'string') {
    record['decoded'] = jsonOrText(Buffer.from(bytes, 'base64').toString('utf8'));
  }
  return JSON.stringify(record);
}

function jsonOrText(text: string): unknown {
  return parseJson(text) ?? text;
}
