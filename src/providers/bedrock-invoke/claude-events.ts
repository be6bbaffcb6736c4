// The Anthropic Claude stream events that InvokeModelWithResponseStream wraps, one per chunk
// frame: message_start, content_block_start/delta/stop, message_delta, message_stop (which on
// Bedrock carries `amazon-bedrock-invocationMetrics`), ping, error. Kept small and local: only
// what an OpenAI chat client can be told (text, tool calls, thinking, stop reason, usage).
import type { CanonicalEvent, CanonicalUsage, FinishReason } from '../../canonical/events.ts';
import { errorKind } from '../openai-compatible/errors.ts';
import type { DecoderContext } from '../types.ts';
import type { ErrorEvent } from '../bedrock/event-decoder.ts';
import { num } from '../payload.ts';
import { ToolIndexes } from '../bedrock/tool-indexes.ts';

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export interface ClaudeEventReader {
  /** One decoded Claude event; returns a terminal error, or null. */
  read(event: Record<string, unknown>, out: CanonicalEvent[]): ErrorEvent | null;
  /** True once message_stop came. */
  readonly stopped: boolean;
}

export function createClaudeEventReader(context: DecoderContext): ClaudeEventReader {
  return new ClaudeEvents(context);
}

/** A class rather than a closure: one reader per open stream, its helpers on the prototype. */
export class ClaudeEvents implements ClaudeEventReader {
  private done = false;
  private tools: ToolIndexes | null = null; // made with the first tool call
  // Usage as Claude reports it: message_start has input (and cache) counts, message_delta the
  // final cumulative output count (newer API versions repeat input counts there too).
  private inputTokens: number | undefined = undefined;
  private outputTokens: number | undefined = undefined;
  private cacheReadInputTokens: number | undefined = undefined;
  private cacheCreationInputTokens: number | undefined = undefined;

  constructor(private readonly context: DecoderContext) {}

  get stopped(): boolean {
    return this.done;
  }

  read(event: Record<string, unknown>, out: CanonicalEvent[]): ErrorEvent | null {
    const context = this.context;
    switch (event['type']) {
      case 'message_start': {
        const message = record(event['message']) ?? {};
        out.push({
          type: 'start',
          id: str(message['id']) || context.newId('chatcmpl-'),
          model: str(message['model']) || context.model,
          created: context.now(),
        });
        this.mergeUsage(message['usage']);
        return null;
      }
      case 'content_block_start': {
        const block = record(event['content_block']) ?? {};
        const blockIndex = num(event['index']);
        if (block['type'] === 'tool_use') {
          const index = (this.tools ??= new ToolIndexes()).add(blockIndex);
          out.push({ type: 'tool-call-start', choice: 0, index, id: str(block['id']) || context.newId('call_'), name: str(block['name']) });
          const input = record(block['input']);
          // The input normally streams as input_json_delta; a start that already holds it says it whole.
          if (input && Object.keys(input).length > 0)
            out.push({ type: 'tool-call-delta', choice: 0, index, arguments: JSON.stringify(input) });
        } else if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'] !== '') {
          out.push({ type: 'text-delta', choice: 0, text: block['text'] });
        }
        return null;
      }
      case 'content_block_delta': {
        const delta = record(event['delta']) ?? {};
        switch (delta['type']) {
          case 'text_delta':
            if (typeof delta['text'] === 'string' && delta['text'] !== '') out.push({ type: 'text-delta', choice: 0, text: delta['text'] });
            return null;
          case 'input_json_delta': {
            const index = (this.tools ??= new ToolIndexes()).of(num(event['index']), out, this.context);
            if (typeof delta['partial_json'] === 'string' && delta['partial_json'] !== '') {
              out.push({ type: 'tool-call-delta', choice: 0, index, arguments: delta['partial_json'] });
            }
            return null;
          }
          case 'thinking_delta':
            if (typeof delta['thinking'] === 'string' && delta['thinking'] !== '')
              out.push({ type: 'reasoning-delta', choice: 0, text: delta['thinking'] });
            return null;
          case 'signature_delta':
            if (typeof delta['signature'] === 'string')
              out.push({ type: 'reasoning-delta', choice: 0, text: '', signature: delta['signature'] });
            return null;
          default:
            return null; // citations and delta types added later
        }
      }
      case 'message_delta': {
        const stopReason = record(event['delta'])?.['stop_reason'];
        if (typeof stopReason === 'string')
          out.push({ type: 'finish', choice: 0, reason: STOP_REASONS[stopReason] ?? 'stop', raw: stopReason });
        this.mergeUsage(event['usage']);
        return null;
      }
      case 'message_stop': {
        this.done = true;
        const metrics = record(event['amazon-bedrock-invocationMetrics']);
        const merged = this.usageResult(metrics);
        if (merged) out.push({ type: 'usage', usage: merged });
        return null;
      }
      case 'error': {
        const error = record(event['error']) ?? {};
        const type = str(error['type']);
        const e: ErrorEvent = { type: 'error', kind: errorKind(undefined, type), message: str(error['message']) || 'upstream error' };
        if (type) e.errorType = type;
        return e;
      }
      default:
        return null; // content_block_stop, ping
    }
  }

  private mergeUsage(u: unknown): void {
    const r = record(u);
    if (!r) return;
    if (typeof r['input_tokens'] === 'number') this.inputTokens = r['input_tokens'];
    if (typeof r['output_tokens'] === 'number') this.outputTokens = r['output_tokens'];
    if (typeof r['cache_read_input_tokens'] === 'number') this.cacheReadInputTokens = r['cache_read_input_tokens'];
    if (typeof r['cache_creation_input_tokens'] === 'number') this.cacheCreationInputTokens = r['cache_creation_input_tokens'];
  }

  /**
   * OpenAI counts cache reads and writes as prompt tokens; Claude's input_tokens does not. Where
   * Claude's own usage is missing, Bedrock's invocation metrics stand in.
   */
  private usageResult(metrics: Record<string, unknown> | null): CanonicalUsage | null {
    const input = this.inputTokens ?? numOrUndefined(metrics?.['inputTokenCount']);
    const output = this.outputTokens ?? numOrUndefined(metrics?.['outputTokenCount']);
    if (input === undefined && output === undefined) return null;
    const cacheRead = this.cacheReadInputTokens ?? numOrUndefined(metrics?.['cacheReadInputTokenCount']);
    const cacheWrite = this.cacheCreationInputTokens ?? numOrUndefined(metrics?.['cacheWriteInputTokenCount']);
    const prompt = (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
    const usage: CanonicalUsage = { promptTokens: prompt, completionTokens: output ?? 0, totalTokens: prompt + (output ?? 0) };
    if (cacheRead !== undefined) usage.cachedPromptTokens = cacheRead;
    return usage;
  }
}

function record(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function numOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
