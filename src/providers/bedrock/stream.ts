// Bedrock ConverseStream: event-stream frames named by `:event-type` (messageStart,
// contentBlockStart, contentBlockDelta, contentBlockStop, messageStop, metadata), each payload the
// event body only, with a `p` padding field that means nothing. Text blocks start with their first
// delta; tool-use blocks with a contentBlockStart. The stop reason comes in messageStop and the
// usage in `metadata` after it: the stream is complete at EOF after messageStop.
import type { CanonicalEvent, CanonicalUsage, FinishReason } from '../../canonical/events.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { createBedrockDecoder } from './event-decoder.ts';
import { num } from '../payload.ts';

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
  let stopped = false;
  // OpenAI numbers tool calls 0, 1, … among tool calls only; Bedrock numbers all content blocks.
  const toolIndexOfBlock = new Map<number, number>();

  function toolIndex(block: number, out: CanonicalEvent[]): number {
    let index = toolIndexOfBlock.get(block);
    if (index === undefined) {
      // Input fragments for a block whose start we never saw: still one call, with an invented id.
      index = toolIndexOfBlock.size;
      toolIndexOfBlock.set(block, index);
      out.push({ type: 'tool-call-start', choice: 0, index, id: context.newId('call_'), name: '' });
    }
    return index;
  }

  return createBedrockDecoder({
    incompleteMessage: 'upstream stream ended before messageStop',
    complete: () => stopped,
    event(eventType, p, out) {
      switch (eventType) {
        case 'messageStart':
          out.push({ type: 'start', id: context.newId('chatcmpl-'), model: context.model, created: context.now() });
          return null;
        case 'contentBlockStart': {
          const toolUse = record(record(p['start'])?.['toolUse']);
          if (toolUse) {
            const block = num(p['contentBlockIndex']);
            const index = toolIndexOfBlock.size;
            toolIndexOfBlock.set(block, index);
            const id = typeof toolUse['toolUseId'] === 'string' ? toolUse['toolUseId'] : context.newId('call_');
            out.push({ type: 'tool-call-start', choice: 0, index, id, name: str(toolUse['name']) });
          }
          return null;
        }
        case 'contentBlockDelta': {
          const delta = record(p['delta']);
          if (!delta) return null;
          if (typeof delta['text'] === 'string') {
            if (delta['text'] !== '') out.push({ type: 'text-delta', choice: 0, text: delta['text'] });
            return null;
          }
          const toolUse = record(delta['toolUse']);
          if (toolUse) {
            const index = toolIndex(num(p['contentBlockIndex']), out);
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
          stopped = true;
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
    },
  });
}

/** Converse usage: inputTokens excludes cache reads and writes, which OpenAI counts as prompt tokens. */
export function convertUsage(u: Record<string, unknown>): CanonicalUsage {
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

function record(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}


function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
