// Bedrock InvokeModelWithResponseStream for Claude: event-stream frames with `:event-type chunk`
// whose payload is {"bytes":"<base64 of one Claude stream event JSON>","p":"<padding>"}. The
// framing, exceptions and truncation are Bedrock's (shared with ConverseStream); the events inside
// are Claude's, read by claude-events.ts. Complete once the inner message_stop came.
import type { CanonicalEvent } from '../../canonical/events.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { BedrockStreamDecoder, malformed, type ErrorEvent } from '../bedrock/event-decoder.ts';
import { ClaudeEvents } from './claude-events.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return new InvokeStreamDecoder(context);
}

class InvokeStreamDecoder extends BedrockStreamDecoder {
  private readonly claude: ClaudeEvents;

  constructor(context: DecoderContext) {
    super();
    this.claude = new ClaudeEvents(context);
  }

  protected get incompleteMessage(): string {
    return 'upstream stream ended before message_stop';
  }

  protected complete(): boolean {
    return this.claude.stopped;
  }

  protected event(eventType: string, payload: Record<string, unknown>, out: CanonicalEvent[]): ErrorEvent | null {
    if (eventType !== 'chunk') return null;
    const bytes = payload['bytes'];
    if (typeof bytes !== 'string') return malformed('Bedrock chunk event has no base64 "bytes" field');
    const json = Buffer.from(bytes, 'base64').toString('utf8');
    let event: unknown;
    try {
      event = JSON.parse(json);
    } catch {
      return malformed(`Bedrock chunk bytes are not a JSON event: ${JSON.stringify(json.slice(0, 120))}`);
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event))
      return malformed(`Bedrock chunk bytes are not a JSON object: ${JSON.stringify(json.slice(0, 120))}`);
    return this.claude.read(event as Record<string, unknown>, out);
  }
}
