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
import { createSseParser, type SseEvent } from '../../sse/parser.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { errorEventFromPayload } from './errors.ts';
import { createUsageTally } from './usage.ts';
import { preview } from '../payload.ts';

type Json = Record<string, unknown>;
type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

type Block =
  | { kind: 'text' | 'thinking' | 'ignored' }
  /** `argumentsSent`: a tool call whose input never arrived still needs `{}` to be valid JSON. */
  | { kind: 'tool'; index: number; argumentsSent: boolean; inputAtStart: boolean };

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
  let out: CanonicalEvent[] = [];
  let terminal: 'done' | 'error' | null = null;
  let started = false;
  let finished = false;
  let toolCalls = 0;
  const blocks = new Map<number, Block>();
  const usage = createUsageTally();

  const parser = createSseParser(
    {
      onEvent(ev) {
        if (terminal === null) handle(ev);
      },
    },
    { maxLineBytes: context.maxLineBytes },
  );

  function fail(event: ErrorEvent): void {
    out.push(event);
    terminal = 'error';
  }

  function malformed(message: string): void {
    fail({ type: 'error', kind: 'malformed', message });
  }

  function handle(ev: SseEvent): void {
    if (ev.type === 'ping') return; // keep-alive; its payload carries nothing
    let payload: unknown;
    try {
      payload = JSON.parse(ev.data);
    } catch {
      // An error event is an error even when its payload is not JSON.
      if (ev.type === 'error') return fail({ type: 'error', kind: 'upstream', message: ev.data });
      return malformed(`upstream sent a data event that is not JSON: ${preview(ev.data)}`);
    }
    if (!isObject(payload)) return malformed(`upstream sent a data event that is not a JSON object: ${preview(ev.data)}`);
    const type = ev.type === 'error' ? 'error' : payload['type'];
    switch (type) {
      case 'message_start':
        return onMessageStart(payload);
      case 'content_block_start':
        return onBlockStart(payload);
      case 'content_block_delta':
        return onBlockDelta(payload);
      case 'content_block_stop':
        return onBlockStop(payload);
      case 'message_delta':
        return onMessageDelta(payload);
      case 'message_stop':
        return onMessageStop();
      case 'error':
        return fail(errorEventFromPayload(payload));
      default:
        return; // ping without an event line, and event types newer than this decoder
    }
  }

  function onMessageStart(payload: Json): void {
    const message = isObject(payload['message']) ? payload['message'] : {};
    if (isObject(message['usage'])) usage.add(message['usage']);
    if (started) return;
    started = true;
    out.push({
      type: 'start',
      id: typeof message['id'] === 'string' && message['id'] !== '' ? message['id'] : context.newId('chatcmpl-'),
      model: typeof message['model'] === 'string' && message['model'] !== '' ? message['model'] : context.model,
      created: context.now(), // the stream carries no timestamp
    });
  }

  function onBlockStart(payload: Json): void {
    const index = payload['index'];
    const block = payload['content_block'];
    if (!Number.isInteger(index) || !isObject(block)) return malformed('content_block_start without an index or a content_block');
    switch (block['type']) {
      case 'text':
        blocks.set(index as number, { kind: 'text' });
        return text(block['text']);
      case 'thinking':
        blocks.set(index as number, { kind: 'thinking' });
        return reasoning(block['thinking'], block['signature']);
      case 'tool_use': {
        const tool: Block = { kind: 'tool', index: toolCalls++, argumentsSent: false, inputAtStart: false };
        blocks.set(index as number, tool);
        out.push({
          type: 'tool-call-start',
          choice: 0,
          index: tool.index,
          id: typeof block['id'] === 'string' ? block['id'] : context.newId('toolu_'),
          name: typeof block['name'] === 'string' ? block['name'] : '',
        });
        // The input is normally `{}` here and streamed as input_json_delta; a whole input is sent once.
        const input = block['input'];
        if (isObject(input) && Object.keys(input).length > 0) {
          tool.inputAtStart = true;
          toolArguments(tool, JSON.stringify(input));
        }
        return;
      }
      default:
        // server_tool_use, web_search_tool_result, redacted_thinking, …: nothing an OpenAI client can act on.
        blocks.set(index as number, { kind: 'ignored' });
        return;
    }
  }

  function onBlockDelta(payload: Json): void {
    const index = payload['index'];
    const delta = payload['delta'];
    if (!isObject(delta)) return malformed('content_block_delta without a delta');
    const block = blocks.get(index as number);
    switch (delta['type']) {
      case 'text_delta':
        return text(delta['text']);
      case 'thinking_delta':
        return reasoning(delta['thinking'], undefined);
      case 'signature_delta':
        return reasoning('', delta['signature']);
      case 'input_json_delta': {
        if (block?.kind === 'ignored') return; // server_tool_use input: run by Anthropic, not the client
        if (block?.kind !== 'tool') return malformed(`input_json_delta for content block ${String(index)}, which is not a tool_use block`);
        const fragment = delta['partial_json'];
        if (typeof fragment === 'string' && fragment !== '' && !block.inputAtStart) toolArguments(block, fragment);
        return;
      }
      default:
        return; // citations_delta and newer delta types
    }
  }

  function onBlockStop(payload: Json): void {
    const block = blocks.get(payload['index'] as number);
    if (block?.kind === 'tool' && !block.argumentsSent) toolArguments(block, '{}');
  }

  function onMessageDelta(payload: Json): void {
    if (isObject(payload['usage'])) usage.add(payload['usage']);
    const delta = isObject(payload['delta']) ? payload['delta'] : {};
    const raw = delta['stop_reason'];
    if (typeof raw === 'string' && !finished) {
      finished = true;
      out.push({ type: 'finish', choice: 0, reason: mapStopReason(raw), raw });
    }
  }

  function onMessageStop(): void {
    if (!finished) {
      finished = true;
      out.push({ type: 'finish', choice: 0, reason: 'stop' }); // complete, but no stop_reason was given
    }
    const merged = usage.result();
    if (merged) out.push({ type: 'usage', usage: merged });
    terminal = 'done';
  }

  function text(value: unknown): void {
    if (typeof value === 'string' && value !== '') out.push({ type: 'text-delta', choice: 0, text: value });
  }

  function reasoning(value: unknown, signature: unknown): void {
    const hasText = typeof value === 'string' && value !== '';
    const hasSignature = typeof signature === 'string' && signature !== '';
    if (!hasText && !hasSignature) return;
    const event: Extract<CanonicalEvent, { type: 'reasoning-delta' }> = { type: 'reasoning-delta', choice: 0, text: hasText ? (value as string) : '' };
    if (hasSignature) event.signature = signature as string; // kept for encoders that can carry it back
    out.push(event);
  }

  function toolArguments(block: Extract<Block, { kind: 'tool' }>, fragment: string): void {
    block.argumentsSent = true;
    out.push({ type: 'tool-call-delta', choice: 0, index: block.index, arguments: fragment });
  }

  return {
    feed(bytes, sink) {
      out = sink;
      parser.feed(bytes);
    },
    end(sink) {
      out = sink;
      parser.end();
      if (terminal === null) {
        terminal = 'error';
        sink.push({ type: 'error', kind: 'truncated', message: 'upstream stream ended before message_stop' });
      }
    },
    get bufferedBytes() {
      return parser.bufferedBytes;
    },
  };
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

