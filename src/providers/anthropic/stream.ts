// Decoder for the Anthropic Messages stream (api.anthropic.com and Vertex AI's streamRawPredict):
// `event: <type>` + `data: <json>` events from message_start to message_stop.
//
// Content blocks are numbered across text, thinking and tool_use alike; OpenAI numbers tool
// calls only, so each tool_use block gets the next tool-call index when it starts (a text block
// at 0 and tool_use blocks at 1 and 2 are tool calls 0 and 1). Usage comes in two halves
// (input and cache tokens in message_start, final output_tokens in message_delta) and is emitted
// once, merged, at message_stop. `event: error` can arrive after HTTP 200 (overloaded_error);
// a body that ends before message_stop is an error, never a success.
import type { CanonicalEvent, FinishReason } from '../../canonical/events.ts';
import { createSseParser, type SseEvent, type SseParser, type SseParserHandlers } from '../../sse/parser.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { errorEventFromPayload } from './errors.ts';
import { UsageTally } from './usage.ts';
import { preview } from '../payload.ts';

type Json = Record<string, unknown>;
type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

type Block = { kind: 'text' | 'thinking' | 'ignored' } | ToolBlock;

/** `argumentsSent`: a tool call whose input never arrived still needs `{}` to be valid JSON. */
interface ToolBlock {
  kind: 'tool';
  index: number;
  argumentsSent: boolean;
  inputAtStart: boolean;
}

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function mapStopReason(raw: string): FinishReason {
  return STOP_REASONS[raw] ?? 'stop';
}

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return new AnthropicStreamDecoder(context);
}

/** Where events would go before the first feed (never written to: events only come from feed and end). */
const NO_SINK: CanonicalEvent[] = [];

// Immutable, so every stream shares them: only tool_use blocks carry per-block state.
const TEXT_BLOCK: Block = { kind: 'text' };
const THINKING_BLOCK: Block = { kind: 'thinking' };
const IGNORED_BLOCK: Block = { kind: 'ignored' };

// A class rather than a closure: one decoder per open stream, so its helpers live on the
// prototype and each instance is only its fields. It is also the SSE parser's handler object.
class AnthropicStreamDecoder implements StreamDecoder, SseParserHandlers {
  private out: CanonicalEvent[] = NO_SINK;
  private terminal: 'done' | 'error' | null = null;
  private started = false;
  private finished = false;
  private toolCalls = 0;
  /** Content blocks by index, created with the first block. */
  private blocks: Map<number, Block> | null = null;
  private readonly usage = new UsageTally();
  private readonly parser: SseParser;

  constructor(private readonly context: DecoderContext) {
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

  private malformed(message: string): void {
    this.fail({ type: 'error', kind: 'malformed', message });
  }

  private handle(ev: SseEvent): void {
    if (ev.type === 'ping') return; // keep-alive; its payload carries nothing
    let payload: unknown;
    try {
      payload = JSON.parse(ev.data);
    } catch {
      // An error event is an error even when its payload is not JSON.
      if (ev.type === 'error') return this.fail({ type: 'error', kind: 'upstream', message: ev.data });
      return this.malformed(`upstream sent a data event that is not JSON: ${preview(ev.data)}`);
    }
    if (!isObject(payload)) return this.malformed(`upstream sent a data event that is not a JSON object: ${preview(ev.data)}`);
    const type = ev.type === 'error' ? 'error' : payload['type'];
    switch (type) {
      case 'message_start':
        return this.onMessageStart(payload);
      case 'content_block_start':
        return this.onBlockStart(payload);
      case 'content_block_delta':
        return this.onBlockDelta(payload);
      case 'content_block_stop':
        return this.onBlockStop(payload);
      case 'message_delta':
        return this.onMessageDelta(payload);
      case 'message_stop':
        return this.onMessageStop();
      case 'error':
        return this.fail(errorEventFromPayload(payload));
      default:
        return; // ping without an event line, and event types newer than this decoder
    }
  }

  private onMessageStart(payload: Json): void {
    const message = isObject(payload['message']) ? payload['message'] : {};
    if (isObject(message['usage'])) this.usage.add(message['usage']);
    if (this.started) return;
    this.started = true;
    const context = this.context;
    this.out.push({
      type: 'start',
      id: typeof message['id'] === 'string' && message['id'] !== '' ? message['id'] : context.newId('chatcmpl-'),
      model: typeof message['model'] === 'string' && message['model'] !== '' ? message['model'] : context.model,
      created: context.now(), // the stream carries no timestamp
    });
  }

  private setBlock(index: number, block: Block): void {
    (this.blocks ??= new Map()).set(index, block);
  }

  private onBlockStart(payload: Json): void {
    const index = payload['index'];
    const block = payload['content_block'];
    if (!Number.isInteger(index) || !isObject(block)) return this.malformed('content_block_start without an index or a content_block');
    switch (block['type']) {
      case 'text':
        this.setBlock(index as number, TEXT_BLOCK);
        return this.text(block['text']);
      case 'thinking':
        this.setBlock(index as number, THINKING_BLOCK);
        return this.reasoning(block['thinking'], block['signature']);
      case 'tool_use': {
        const tool: ToolBlock = { kind: 'tool', index: this.toolCalls++, argumentsSent: false, inputAtStart: false };
        this.setBlock(index as number, tool);
        this.out.push({
          type: 'tool-call-start',
          choice: 0,
          index: tool.index,
          id: typeof block['id'] === 'string' ? block['id'] : this.context.newId('toolu_'),
          name: typeof block['name'] === 'string' ? block['name'] : '',
        });
        // The input is normally `{}` here and streamed as input_json_delta; a whole input is sent once.
        const input = block['input'];
        if (isObject(input) && Object.keys(input).length > 0) {
          tool.inputAtStart = true;
          this.toolArguments(tool, JSON.stringify(input));
        }
        return;
      }
      default:
        // server_tool_use, web_search_tool_result, redacted_thinking, …: nothing an OpenAI client can act on.
        this.setBlock(index as number, IGNORED_BLOCK);
        return;
    }
  }

  private onBlockDelta(payload: Json): void {
    const index = payload['index'];
    const delta = payload['delta'];
    if (!isObject(delta)) return this.malformed('content_block_delta without a delta');
    switch (delta['type']) {
      case 'text_delta':
        return this.text(delta['text']);
      case 'thinking_delta':
        return this.reasoning(delta['thinking'], undefined);
      case 'signature_delta':
        return this.reasoning('', delta['signature']);
      case 'input_json_delta': {
        const block = this.blocks?.get(index as number);
        if (block?.kind === 'ignored') return; // server_tool_use input: run by Anthropic, not the client
        if (block?.kind !== 'tool')
          return this.malformed(`input_json_delta for content block ${String(index)}, which is not a tool_use block`);
        const fragment = delta['partial_json'];
        if (typeof fragment === 'string' && fragment !== '' && !block.inputAtStart) this.toolArguments(block, fragment);
        return;
      }
      default:
        return; // citations_delta and newer delta types
    }
  }

  private onBlockStop(payload: Json): void {
    const block = this.blocks?.get(payload['index'] as number);
    if (block?.kind === 'tool' && !block.argumentsSent) this.toolArguments(block, '{}');
  }

  private onMessageDelta(payload: Json): void {
    if (isObject(payload['usage'])) this.usage.add(payload['usage']);
    const delta = isObject(payload['delta']) ? payload['delta'] : {};
    const raw = delta['stop_reason'];
    if (typeof raw === 'string' && !this.finished) {
      this.finished = true;
      this.out.push({ type: 'finish', choice: 0, reason: mapStopReason(raw), raw });
    }
  }

  private onMessageStop(): void {
    if (!this.finished) {
      this.finished = true;
      this.out.push({ type: 'finish', choice: 0, reason: 'stop' }); // complete, but no stop_reason was given
    }
    const merged = this.usage.result();
    if (merged) this.out.push({ type: 'usage', usage: merged });
    this.terminal = 'done';
  }

  private text(value: unknown): void {
    if (typeof value === 'string' && value !== '') this.out.push({ type: 'text-delta', choice: 0, text: value });
  }

  private reasoning(value: unknown, signature: unknown): void {
    const hasText = typeof value === 'string' && value !== '';
    const hasSignature = typeof signature === 'string' && signature !== '';
    if (!hasText && !hasSignature) return;
    const event: Extract<CanonicalEvent, { type: 'reasoning-delta' }> = {
      type: 'reasoning-delta',
      choice: 0,
      text: hasText ? (value as string) : '',
    };
    if (hasSignature) event.signature = signature as string; // kept for encoders that can carry it back
    this.out.push(event);
  }

  private toolArguments(block: ToolBlock, fragment: string): void {
    block.argumentsSent = true;
    this.out.push({ type: 'tool-call-delta', choice: 0, index: block.index, arguments: fragment });
  }
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
