// Decoder for the Anthropic Messages stream (api.anthropic.com and Vertex AI's streamRawPredict):
// `event: <type>` + `data: <json>` events from message_start to message_stop, read by the shared
// Claude event reader (claude-events.ts). `event: error` can arrive after HTTP 200
// (overloaded_error); a body that ends before message_stop is an error, never a success.
import type { CanonicalEvent } from '../../canonical/events.ts';
import { isJsonObject, parseJson } from '../../base/json.ts';
import { createSseParser, type SseEvent, type SseParser, type SseParserHandlers } from '../../sse/parser.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { ClaudeEventReader } from './claude-events.ts';
import { errorEventFromPayload } from './errors.ts';
import { preview } from '../payload.ts';

export { mapStopReason } from './claude-events.ts';

type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return new AnthropicStreamDecoder(context);
}

/** Where events would go before the first feed (never written to: events only come from feed and end). */
const NO_SINK: CanonicalEvent[] = [];

// A class rather than a closure: one decoder per open stream, so its helpers live on the
// prototype and each instance is only its fields. It is also the SSE parser's handler object.
class AnthropicStreamDecoder implements StreamDecoder, SseParserHandlers {
  private out: CanonicalEvent[] = NO_SINK;
  private terminal: 'done' | 'error' | null = null;
  private readonly claude: ClaudeEventReader;
  private readonly parser: SseParser;

  constructor(context: DecoderContext) {
    this.claude = new ClaudeEventReader(context);
    this.parser = createSseParser(this, { maxLineBytes: context.maxLineBytes });
  }

  feed(bytes: Buffer, sink: CanonicalEvent[]): void {
    this.out = sink;
    this.parser.feed(bytes);
  }

  end(sink: CanonicalEvent[]): void {
    this.out = sink;
    this.parser.end();
    if (this.terminal === null) {
      this.terminal = 'error';
      sink.push({ type: 'error', kind: 'truncated', message: 'upstream stream ended before message_stop' });
    }
  }

  get bufferedBytes(): number {
    return this.parser.bufferedBytes;
  }

  /** The SSE parser's callback. */
  onEvent(ev: SseEvent): void {
    if (this.terminal === null) this.handle(ev);
  }

  private fail(event: ErrorEvent): void {
    this.out.push(event);
    this.terminal = 'error';
  }

  private handle(ev: SseEvent): void {
    if (ev.type === 'ping') return; // keep-alive; its payload carries nothing
    const payload = parseJson(ev.data);
    if (payload === undefined) {
      // An error event is an error even when its payload is not JSON.
      if (ev.type === 'error') return this.fail({ type: 'error', kind: 'upstream', message: ev.data });
      return this.fail({ type: 'error', kind: 'malformed', message: `upstream sent a data event that is not JSON: ${preview(ev.data)}` });
    }
    if (!isJsonObject(payload))
      return this.fail({
        type: 'error',
        kind: 'malformed',
        message: `upstream sent a data event that is not a JSON object: ${preview(ev.data)}`,
      });
    // `event: error` is an error whatever its payload's type says.
    const error = ev.type === 'error' ? errorEventFromPayload(payload) : this.claude.read(payload, this.out);
    if (error) this.fail(error);
    else if (this.claude.complete) this.terminal = 'done';
  }
}
