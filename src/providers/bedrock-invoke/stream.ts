// Bedrock InvokeModelWithResponseStream for Claude: event-stream frames with `:event-type chunk`
// whose payload is {"bytes":"<base64 of one Claude stream event JSON>","p":"<padding>"}. The
// framing, exceptions and truncation are Bedrock's (shared with ConverseStream); the events inside
// are Claude's, read by the Anthropic decoder's reader (anthropic/claude-events.ts). Bedrock adds
// `amazon-bedrock-invocationMetrics` to message_stop: its token counts stand in where Claude's own
// usage is missing. Complete once the inner message_stop came.
import type { CanonicalEvent } from '../../canonical/events.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../base/json.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import type { ErrorEvent } from '../decoder-base.ts';
import { BedrockStreamDecoder, malformed } from '../bedrock/event-decoder.ts';
import { ClaudeEventReader } from '../anthropic/claude-events.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return new InvokeStreamDecoder(context);
}

class InvokeStreamDecoder extends BedrockStreamDecoder {
  private readonly claude: ClaudeEventReader;

  constructor(context: DecoderContext) {
    super();
    this.claude = new ClaudeEventReader(context);
  }

  protected get incompleteMessage(): string {
    return 'upstream stream ended before message_stop';
  }

  protected complete(): boolean {
    return this.claude.complete;
  }

  protected event(eventType: string, payload: JsonObject, out: CanonicalEvent[]): ErrorEvent | null {
    if (eventType !== 'chunk') return null;
    const bytes = payload['bytes'];
    if (typeof bytes !== 'string') return malformed('Bedrock chunk event has no base64 "bytes" field');
    const json = Buffer.from(bytes, 'base64').toString('utf8');
    const event = parseJson(json);
    if (event === undefined) return malformed(`Bedrock chunk bytes are not a JSON event: ${JSON.stringify(json.slice(0, 120))}`);
    if (!isJsonObject(event)) return malformed(`Bedrock chunk bytes are not a JSON object: ${JSON.stringify(json.slice(0, 120))}`);
    if (event['type'] === 'message_stop') {
      const metrics = event['amazon-bedrock-invocationMetrics'];
      if (isJsonObject(metrics)) {
        this.claude.usage.fillMissing(
          metrics['inputTokenCount'],
          metrics['outputTokenCount'],
          metrics['cacheReadInputTokenCount'],
          metrics['cacheWriteInputTokenCount'],
        );
      }
    }
    return this.claude.read(event, out);
  }
}
