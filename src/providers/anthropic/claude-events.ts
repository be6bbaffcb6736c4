// The Claude (Anthropic Messages) stream events as canonical events: one parsed event object in,
// canonical events out. Every upstream that streams Claude's events reads them here, whatever
// carries them: SSE from api.anthropic.com and Vertex AI (anthropic/stream.ts), base64 chunk
// frames from Bedrock's InvokeModelWithResponseStream (bedrock-invoke/stream.ts).
//
// Content blocks are numbered across text, thinking and tool_use alike; OpenAI numbers tool
// calls only, so each tool_use block gets the next tool-call index when it starts (a text block
// at 0 and tool_use blocks at 1 and 2 are tool calls 0 and 1). Usage comes in two halves
// (input and cache tokens in message_start, final output_tokens in message_delta) and is emitted
// once, merged, at message_stop, after the finish. Nothing is read after message_stop.
import type { CanonicalEvent, FinishReason } from '../../canonical/events.ts';
import { isJsonObject, type JsonObject } from '../../base/json.ts';
import type { DecoderContext } from '../types.ts';
import { errorEventFromPayload } from './errors.ts';
import { UsageTally } from './usage.ts';

type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

type Block = { kind: 'text' | 'thinking' | 'ignored' } | ToolBlock;

/** `argumentsSent`: a tool call whose input never arrived still needs `{}` to be valid JSON. */
interface ToolBlock {
  kind: 'tool';
  index: number;
  argumentsSent: boolean;
  inputAtStart: boolean;
}

/**
 * Claude's stop reasons in OpenAI's words, chosen for what a client must do next (README,
 * "Finish reasons"): `pause_turn` (a long server-tool turn paused; send the answer back to
 * continue it) and `model_context_window_exceeded` (cut at the context window) are `length`, the
 * answer is not complete; `refusal` is `content_filter`, the model declined for safety. The raw
 * word stays in the finish event.
 */
const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'length',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function mapStopReason(raw: string): FinishReason {
  return STOP_REASONS[raw] ?? 'stop';
}

// Immutable, so every stream shares them: only tool_use blocks carry per-block state.
const TEXT_BLOCK: Block = { kind: 'text' };
const THINKING_BLOCK: Block = { kind: 'thinking' };
const IGNORED_BLOCK: Block = { kind: 'ignored' };

/**
 * One per open stream. A class rather than a closure: its helpers live on the prototype and each
 * instance is only its fields; collections are made when first needed.
 */
export class ClaudeEventReader {
  /** Usage so far; an envelope that knows more (Bedrock's invocation metrics) may fill its gaps before message_stop. */
  readonly usage = new UsageTally();
  private started = false;
  private finished = false;
  private stopped = false;
  private toolCalls = 0;
  /** Content blocks by index, created with the first block. */
  private blocks: Map<number, Block> | null = null;

  constructor(private readonly context: DecoderContext) {}

  /** True once message_stop came: the message is complete and nothing more is read. */
  get complete(): boolean {
    return this.stopped;
  }

  /** One Claude event (its payload's `type` says which); returns a terminal error to end the stream with, or null. */
  read(event: JsonObject, out: CanonicalEvent[]): ErrorEvent | null {
    if (this.stopped) return null;
    switch (event['type']) {
      case 'message_start':
        return this.onMessageStart(event, out);
      case 'content_block_start':
        return this.onBlockStart(event, out);
      case 'content_block_delta':
        return this.onBlockDelta(event, out);
      case 'content_block_stop':
        return this.onBlockStop(event, out);
      case 'message_delta':
        return this.onMessageDelta(event, out);
      case 'message_stop':
        return this.onMessageStop(out);
      case 'error':
        return errorEventFromPayload(event);
      default:
        return null; // ping, and event types newer than this reader
    }
  }

  private onMessageStart(event: JsonObject, out: CanonicalEvent[]): null {
    const message = isJsonObject(event['message']) ? event['message'] : {};
    if (isJsonObject(message['usage'])) this.usage.add(message['usage']);
    if (this.started) return null;
    this.started = true;
    const context = this.context;
    out.push({
      type: 'start',
      id: typeof message['id'] === 'string' && message['id'] !== '' ? message['id'] : context.newId('chatcmpl-'),
      model: typeof message['model'] === 'string' && message['model'] !== '' ? message['model'] : context.model,
      created: context.now(), // the stream carries no timestamp
    });
    return null;
  }

  private setBlock(index: number, block: Block): void {
    (this.blocks ??= new Map()).set(index, block);
  }

  private onBlockStart(event: JsonObject, out: CanonicalEvent[]): ErrorEvent | null {
    const index = event['index'];
    const block = event['content_block'];
    if (!Number.isInteger(index) || !isJsonObject(block)) return malformed('content_block_start without an index or a content_block');
    switch (block['type']) {
      case 'text':
        this.setBlock(index as number, TEXT_BLOCK);
        text(block['text'], out);
        return null;
      case 'thinking':
        this.setBlock(index as number, THINKING_BLOCK);
        reasoning(block['thinking'], block['signature'], out);
        return null;
      case 'tool_use': {
        const tool: ToolBlock = { kind: 'tool', index: this.toolCalls++, argumentsSent: false, inputAtStart: false };
        this.setBlock(index as number, tool);
        out.push({
          type: 'tool-call-start',
          choice: 0,
          index: tool.index,
          id: typeof block['id'] === 'string' ? block['id'] : this.context.newId('toolu_'),
          name: typeof block['name'] === 'string' ? block['name'] : '',
        });
        // The input is normally `{}` here and streamed as input_json_delta; a whole input is sent once.
        const input = block['input'];
        if (isJsonObject(input) && Object.keys(input).length > 0) {
          tool.inputAtStart = true;
          toolArguments(tool, JSON.stringify(input), out);
        }
        return null;
      }
      default:
        // server_tool_use, web_search_tool_result, redacted_thinking, …: nothing an OpenAI client can act on.
        this.setBlock(index as number, IGNORED_BLOCK);
        return null;
    }
  }

  private onBlockDelta(event: JsonObject, out: CanonicalEvent[]): ErrorEvent | null {
    const index = event['index'];
    const delta = event['delta'];
    if (!isJsonObject(delta)) return malformed('content_block_delta without a delta');
    switch (delta['type']) {
      case 'text_delta':
        text(delta['text'], out);
        return null;
      case 'thinking_delta':
        reasoning(delta['thinking'], undefined, out);
        return null;
      case 'signature_delta':
        reasoning('', delta['signature'], out);
        return null;
      case 'input_json_delta': {
        const block = this.blocks?.get(index as number);
        if (block?.kind === 'ignored') return null; // server_tool_use input: run by Anthropic, not the client
        if (block?.kind !== 'tool') return malformed(`input_json_delta for content block ${String(index)}, which is not a tool_use block`);
        const fragment = delta['partial_json'];
        if (typeof fragment === 'string' && fragment !== '' && !block.inputAtStart) toolArguments(block, fragment, out);
        return null;
      }
      default:
        return null; // citations_delta and newer delta types
    }
  }

  private onBlockStop(event: JsonObject, out: CanonicalEvent[]): null {
    const block = this.blocks?.get(event['index'] as number);
    if (block?.kind === 'tool' && !block.argumentsSent) toolArguments(block, '{}', out);
    return null;
  }

  private onMessageDelta(event: JsonObject, out: CanonicalEvent[]): null {
    if (isJsonObject(event['usage'])) this.usage.add(event['usage']);
    const delta = isJsonObject(event['delta']) ? event['delta'] : {};
    const raw = delta['stop_reason'];
    if (typeof raw === 'string' && !this.finished) {
      this.finished = true;
      out.push({ type: 'finish', choice: 0, reason: mapStopReason(raw), raw });
    }
    return null;
  }

  private onMessageStop(out: CanonicalEvent[]): null {
    if (!this.finished) {
      this.finished = true;
      out.push({ type: 'finish', choice: 0, reason: 'stop' }); // complete, but no stop_reason was given
    }
    const merged = this.usage.result();
    if (merged) out.push({ type: 'usage', usage: merged });
    this.stopped = true;
    return null;
  }
}

function malformed(message: string): ErrorEvent {
  return { type: 'error', kind: 'malformed', message };
}

function text(value: unknown, out: CanonicalEvent[]): void {
  if (typeof value === 'string' && value !== '') out.push({ type: 'text-delta', choice: 0, text: value });
}

function reasoning(value: unknown, signature: unknown, out: CanonicalEvent[]): void {
  const hasText = typeof value === 'string' && value !== '';
  const hasSignature = typeof signature === 'string' && signature !== '';
  if (!hasText && !hasSignature) return;
  const event: Extract<CanonicalEvent, { type: 'reasoning-delta' }> = {
    type: 'reasoning-delta',
    choice: 0,
    text: hasText ? (value as string) : '',
  };
  if (hasSignature) event.signature = signature as string; // kept for encoders that can carry it back
  out.push(event);
}

function toolArguments(block: ToolBlock, fragment: string, out: CanonicalEvent[]): void {
  block.argumentsSent = true;
  out.push({ type: 'tool-call-delta', choice: 0, index: block.index, arguments: fragment });
}
