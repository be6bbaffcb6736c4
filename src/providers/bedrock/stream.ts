// Bedrock ConverseStream: event-stream frames named by `:event-type` (messageStart,
// contentBlockStart, contentBlockDelta, contentBlockStop, messageStop, metadata), each payload the
// event body only, with a `p` padding field that means nothing. Text blocks start with their first
// delta; tool-use blocks with a contentBlockStart. The stop reason comes in messageStop and the
// usage in `metadata` after it: the stream is complete at EOF after messageStop.
//
// Server-side tools (toolUse blocks with `type: "server_tool_use"`, run by Bedrock, and the
// `toolResult` blocks holding what they returned) are never client tool calls: their blocks and
// deltas are dropped (README, "What normalize mode says for provider-only content"). So are
// redacted reasoning (`reasoningContent.redactedContent`, opaque bytes), citations and the
// `additionalModelResponseFields` of messageStop.
import type { CanonicalEvent, CanonicalUsage, FinishReason } from '../../canonical/events.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { isJsonObject, type JsonObject } from '../../base/json.ts';
import type { ErrorEvent } from '../decoder-base.ts';
import { BedrockStreamDecoder } from './event-decoder.ts';
import { num } from '../payload.ts';
import { ToolIndexes } from './tool-indexes.ts';

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export function mapStopReason(raw: string): FinishReason {
  return STOP_REASONS[raw] ?? 'stop';
}

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return new ConverseStreamDecoder(context);
}

class ConverseStreamDecoder extends BedrockStreamDecoder {
  private stopped = false; // messageStop came: the stream is complete at EOF
  /** OpenAI numbers tool calls 0, 1, … among tool calls only; Bedrock numbers all content blocks. Created with the first tool call. */
  private tools: ToolIndexes | null = null; // made with the first tool call
  /** Content blocks of server-side tool use and tool results, whose deltas are dropped (made with the first). */
  private serverBlocks: Set<number> | null = null;

  constructor(private readonly context: DecoderContext) {
    super();
  }

  protected get incompleteMessage(): string {
    return 'upstream stream ended before messageStop';
  }

  protected complete(): boolean {
    return this.stopped;
  }

  protected event(eventType: string, p: JsonObject, out: CanonicalEvent[]): ErrorEvent | null {
    switch (eventType) {
      case 'messageStart':
        out.push({ type: 'start', id: this.context.newId('chatcmpl-'), model: this.context.model, created: this.context.now() });
        return null;
      case 'contentBlockStart': {
        const start = record(p['start']);
        const toolUse = record(start?.['toolUse']);
        if ((toolUse && toolUse['type'] === 'server_tool_use') || start?.['toolResult'] !== undefined) {
          (this.serverBlocks ??= new Set()).add(num(p['contentBlockIndex']));
          return null;
        }
        if (toolUse) {
          const index = (this.tools ??= new ToolIndexes()).add(num(p['contentBlockIndex']));
          const id = typeof toolUse['toolUseId'] === 'string' ? toolUse['toolUseId'] : this.context.newId('call_');
          out.push({ type: 'tool-call-start', choice: 0, index, id, name: str(toolUse['name']) });
        }
        return null;
      }
      case 'contentBlockDelta': {
        const delta = record(p['delta']);
        if (!delta || delta['toolResult'] !== undefined || this.serverBlocks?.has(num(p['contentBlockIndex']))) return null;
        if (typeof delta['text'] === 'string') {
          if (delta['text'] !== '') out.push({ type: 'text-delta', choice: 0, text: delta['text'] });
          return null;
        }
        const toolUse = record(delta['toolUse']);
        if (toolUse) {
          const index = (this.tools ??= new ToolIndexes()).of(num(p['contentBlockIndex']), out, this.context);
          if (typeof toolUse['input'] === 'string' && toolUse['input'] !== '') {
            out.push({ type: 'tool-call-delta', choice: 0, index, arguments: toolUse['input'] });
          }
          return null;
        }
        const reasoning = record(delta['reasoningContent']);
        if (reasoning) {
          if (typeof reasoning['text'] === 'string' && reasoning['text'] !== '') {
            out.push({ type: 'reasoning-delta', choice: 0, text: reasoning['text'] });
          }
          if (typeof reasoning['signature'] === 'string') {
            out.push({ type: 'reasoning-delta', choice: 0, text: '', signature: reasoning['signature'] });
          }
        }
        return null;
      }
      case 'messageStop': {
        this.stopped = true;
        const raw = str(p['stopReason']);
        out.push({ type: 'finish', choice: 0, reason: mapStopReason(raw), raw });
        return null;
      }
      case 'metadata': {
        const usage = record(p['usage']);
        if (usage) out.push({ type: 'usage', usage: convertUsage(usage) });
        return null;
      }
      default:
        // contentBlockStop, and event types added after this was written.
        return null;
    }
  }
}

/** Converse usage: inputTokens excludes cache reads and writes, which OpenAI counts as prompt tokens. */
export function convertUsage(u: JsonObject): CanonicalUsage {
  const cacheRead = u['cacheReadInputTokens'];
  const prompt = num(u['inputTokens']) + num(cacheRead) + num(u['cacheWriteInputTokens']);
  const completion = num(u['outputTokens']);
  const usage: CanonicalUsage = {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: typeof u['totalTokens'] === 'number' ? u['totalTokens'] : prompt + completion,
  };
  if (typeof cacheRead === 'number') usage.cachedPromptTokens = cacheRead;
  return usage;
}

function record(v: unknown): JsonObject | null {
  return isJsonObject(v) ? v : null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
