// Decoder for the Anthropic Messages stream (api.anthropic.com and Vertex AI's streamRawPredict):
// `event: <type>` + `data: <json>` events from message_start to message_stop, read by the shared
// Claude event reader (claude-events.ts). `event: error` can arrive after HTTP 200
// (overloaded_error); a body that ends before message_stop is an error, never a success.
import { isJsonObject, parseJson } from '../../base/json.ts';
import type { SseEvent } from '../../sse/parser.ts';
import { SseDecoder } from '../decoder-base.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { ClaudeEventReader } from './claude-events.ts';
import { errorEventFromPayload } from './errors.ts';
import { preview } from '../payload.ts';

export { mapStopReason } from './claude-events.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return new AnthropicStreamDecoder(context);
}

class AnthropicStreamDecoder extends SseDecoder {
  private readonly claude: ClaudeEventReader;

  constructor(context: DecoderContext) {
    super(context);
    this.claude = new ClaudeEventReader(context);
  }

  protected endOfStream(): void {
    this.out.push({ type: 'error', kind: 'truncated', message: 'upstream stream ended before message_stop' });
  }

  protected event(ev: SseEvent): void {
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
    else if (this.claude.complete) this.closed = true;
  }
}
