// Decoder for the OpenAI Responses API stream: `event: <type>` + `data: {"type":…,
// "sequence_number":…}` events, no [DONE]; the stream is over at response.completed,
// response.incomplete or response.failed (or after an `error` event). Each payload is parsed
// once; the payload's own `type` is authoritative (the SDK reads it too), the `event:` line is
// the fallback.
//
// Tool calls: only `function_call` output items count, so reasoning and message items never
// shift the OpenAI tool index; argument deltas are matched to their call by item_id (output_index
// as the fallback). A call whose arguments never streamed as deltas (some compatible servers
// send only the `.done` events) gets them in one piece from function_call_arguments.done or
// output_item.done.
import type { CanonicalUsage, FinishReason } from '../../canonical/events.ts';
import type { SseEvent } from '../../sse/parser.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../base/json.ts';
import { SseDecoder, type ErrorEvent } from '../decoder-base.ts';
import { errorKind } from '../openai-compatible/errors.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { num, preview } from '../payload.ts';

interface ToolCallState {
  index: number;
  /** True once argument text went out for this call. */
  argumentsSent: boolean;
}

/**
 * Event types that carry nothing a chat client sees (their content also arrives through the
 * handled deltas, or belongs to hosted tools a chat request never enables). Listed so ignoring
 * them is a decision, not an accident; types not listed here are ignored too, because the API
 * adds event types often and an unknown one must not break a stream.
 */
export const IGNORED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.queued',
  'response.in_progress',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.done',
  'response.output_text.annotation.added',
  'response.refusal.done',
  'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.done',
  'response.reasoning_text.done',
  'response.custom_tool_call_input.delta',
  'response.custom_tool_call_input.done',
  'response.file_search_call.in_progress',
  'response.file_search_call.searching',
  'response.file_search_call.completed',
  'response.web_search_call.in_progress',
  'response.web_search_call.searching',
  'response.web_search_call.completed',
  'response.code_interpreter_call.in_progress',
  'response.code_interpreter_call.interpreting',
  'response.code_interpreter_call.completed',
  'response.code_interpreter_call_code.delta',
  'response.code_interpreter_call_code.done',
  'response.image_generation_call.in_progress',
  'response.image_generation_call.generating',
  'response.image_generation_call.partial_image',
  'response.image_generation_call.completed',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_list_tools.in_progress',
  'response.mcp_list_tools.completed',
  'response.mcp_list_tools.failed',
  'response.audio.delta',
  'response.audio.done',
  'response.audio.transcript.delta',
  'response.audio.transcript.done',
]);

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return new ResponsesStreamDecoder(context);
}

class ResponsesStreamDecoder extends SseDecoder {
  private started = false;
  private toolCount = 0;
  // Created with the first function call (most streams have none).
  private callsByItem: Map<string, ToolCallState> | null = null;
  private callsByOutput: Map<number, ToolCallState> | null = null;
  private reasoningSent = false;
  private reasoningBreak = false; // a new summary part began: separate it from the previous one

  constructor(private readonly context: DecoderContext) {
    super(context);
  }

  protected endOfStream(): void {
    this.out.push({ type: 'error', kind: 'truncated', message: 'upstream stream ended before response.completed' });
  }

  protected event(ev: SseEvent): void {
    // Some Responses-compatible servers end with the chat terminator; the terminal events decide.
    if (ev.data === '[DONE]') return;
    const data = parseJson(ev.data);
    if (data === undefined) {
      this.fail({ type: 'error', kind: 'malformed', message: `upstream sent an event that is not JSON: ${preview(ev.data)}` });
      return;
    }
    if (!isJsonObject(data)) {
      this.fail({ type: 'error', kind: 'malformed', message: `upstream sent an event that is not a JSON object: ${preview(ev.data)}` });
      return;
    }
    const type = typeof data['type'] === 'string' ? data['type'] : ev.type;
    if (type === null) {
      this.fail({ type: 'error', kind: 'malformed', message: `upstream sent an event without a type: ${preview(ev.data)}` });
      return;
    }
    this.dispatch(type, data);
  }

  private dispatch(type: string, data: JsonObject): void {
    switch (type) {
      case 'response.created':
        this.startFrom(data['response']);
        return;
      case 'response.output_item.added':
        this.onItem(data);
        return;
      case 'response.output_item.done':
        this.onItem(data);
        return;
      case 'response.output_text.delta':
        if (typeof data['delta'] === 'string' && data['delta'] !== '')
          this.out.push({ type: 'text-delta', choice: 0, text: data['delta'] });
        return;
      case 'response.refusal.delta':
        if (typeof data['delta'] === 'string' && data['delta'] !== '')
          this.out.push({ type: 'refusal-delta', choice: 0, text: data['delta'] });
        return;
      case 'response.reasoning_summary_part.added':
        if (this.reasoningSent) this.reasoningBreak = true;
        return;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        this.onReasoning(data['delta']);
        return;
      case 'response.function_call_arguments.delta':
        this.onArguments(data, false);
        return;
      case 'response.function_call_arguments.done':
        this.onArguments(data, true);
        return;
      case 'response.completed':
        this.onEnd(data['response'], this.toolCount > 0 ? 'tool_calls' : 'stop', 'completed');
        return;
      case 'response.incomplete': {
        const reason = stringAt(data['response'], 'incomplete_details', 'reason') ?? 'unknown';
        this.onEnd(data['response'], incompleteFinish(reason), reason);
        return;
      }
      case 'response.failed': {
        const error = objectAt(data['response'], 'error');
        const code = typeof error?.['code'] === 'string' ? error['code'] : null;
        const message = typeof error?.['message'] === 'string' ? error['message'] : 'upstream response failed';
        this.fail({ type: 'error', kind: errorKind(undefined, code ?? undefined), message, code });
        return;
      }
      case 'error':
        this.fail(errorFromEvent(data));
        return;
      default:
        // IGNORED_EVENT_TYPES and types this decoder does not know yet: nothing for the client.
        return;
    }
  }

  private startFrom(response: unknown): void {
    if (this.started || response === null || typeof response !== 'object') return;
    const r = response as JsonObject;
    const context = this.context;
    this.started = true;
    this.out.push({
      type: 'start',
      id: typeof r['id'] === 'string' && r['id'] !== '' ? r['id'] : context.newId('chatcmpl-'),
      model: typeof r['model'] === 'string' && r['model'] !== '' ? r['model'] : context.model,
      created: typeof r['created_at'] === 'number' && r['created_at'] > 0 ? r['created_at'] : context.now(),
    });
  }

  private onItem(data: JsonObject): void {
    const item = data['item'];
    if (item === null || typeof item !== 'object') return;
    const it = item as JsonObject;
    if (it['type'] !== 'function_call') return;
    const itemId = typeof it['id'] === 'string' ? it['id'] : null;
    const outputIndex = typeof data['output_index'] === 'number' ? data['output_index'] : null;
    let call = this.lookup(itemId, outputIndex);
    if (!call) {
      call = { index: this.toolCount++, argumentsSent: false };
      if (itemId !== null) (this.callsByItem ??= new Map()).set(itemId, call);
      if (outputIndex !== null) (this.callsByOutput ??= new Map()).set(outputIndex, call);
      this.out.push({
        type: 'tool-call-start',
        choice: 0,
        index: call.index,
        id: typeof it['call_id'] === 'string' && it['call_id'] !== '' ? it['call_id'] : this.context.newId('call_'),
        name: typeof it['name'] === 'string' ? it['name'] : '',
      });
    }
    // `added` normally has arguments "", `done` the whole string: sent only if no delta carried them.
    const args = it['arguments'];
    if (typeof args === 'string' && args !== '' && !call.argumentsSent) this.sendArguments(call, args);
  }

  private onArguments(data: JsonObject, done: boolean): void {
    const itemId = typeof data['item_id'] === 'string' ? data['item_id'] : null;
    const outputIndex = typeof data['output_index'] === 'number' ? data['output_index'] : null;
    const call = this.lookup(itemId, outputIndex);
    if (!call) {
      this.fail({
        type: 'error',
        kind: 'malformed',
        message: `upstream sent function call arguments for an unknown output item ${JSON.stringify(itemId ?? outputIndex)}`,
      });
      return;
    }
    if (done) {
      if (!call.argumentsSent && typeof data['arguments'] === 'string' && data['arguments'] !== '')
        this.sendArguments(call, data['arguments']);
      return;
    }
    if (typeof data['delta'] === 'string' && data['delta'] !== '') this.sendArguments(call, data['delta']);
  }

  private sendArguments(call: ToolCallState, text: string): void {
    call.argumentsSent = true;
    this.out.push({ type: 'tool-call-delta', choice: 0, index: call.index, arguments: text });
  }

  private lookup(itemId: string | null, outputIndex: number | null): ToolCallState | undefined {
    return (
      (itemId !== null ? this.callsByItem?.get(itemId) : undefined) ??
      (outputIndex !== null ? this.callsByOutput?.get(outputIndex) : undefined)
    );
  }

  private onReasoning(delta: unknown): void {
    if (typeof delta !== 'string' || delta === '') return;
    const text = this.reasoningBreak ? `\n\n${delta}` : delta;
    this.reasoningBreak = false;
    this.reasoningSent = true;
    this.out.push({ type: 'reasoning-delta', choice: 0, text });
  }

  private onEnd(response: unknown, reason: FinishReason, raw: string): void {
    this.startFrom(response);
    const usage = objectAt(response, 'usage');
    if (usage) this.out.push({ type: 'usage', usage: convertUsage(usage) });
    this.out.push({ type: 'finish', choice: 0, reason, raw });
    this.closed = true;
  }
}

/** `event: error`: the documented top-level {code, message}, or the nested {error: {…}} seen in recordings. */
function errorFromEvent(data: JsonObject): ErrorEvent {
  const nested = data['error'] !== null && typeof data['error'] === 'object' ? (data['error'] as JsonObject) : {};
  const message = pickString(data['message'], nested['message']) ?? 'upstream error';
  const errorType = pickString(nested['type'], data['error_type']);
  const code = pickString(data['code'], nested['code']);
  const event: ErrorEvent = { type: 'error', kind: errorKind(undefined, errorType ?? code), message, code: code ?? null };
  if (errorType !== undefined) event.errorType = errorType;
  return event;
}

function incompleteFinish(reason: string): FinishReason {
  switch (reason) {
    case 'content_filter':
      return 'content_filter';
    default:
      // Any other incomplete reason still means the answer was cut short.
      return 'length';
  }
}

export function convertUsage(u: JsonObject): CanonicalUsage {
  const usage: CanonicalUsage = {
    promptTokens: num(u['input_tokens']),
    completionTokens: num(u['output_tokens']),
    totalTokens: typeof u['total_tokens'] === 'number' ? u['total_tokens'] : num(u['input_tokens']) + num(u['output_tokens']),
  };
  const cached = objectAt(u, 'input_tokens_details')?.['cached_tokens'];
  if (typeof cached === 'number') usage.cachedPromptTokens = cached;
  const reasoning = objectAt(u, 'output_tokens_details')?.['reasoning_tokens'];
  if (typeof reasoning === 'number') usage.reasoningTokens = reasoning;
  return usage;
}

function objectAt(value: unknown, key: string): JsonObject | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = (value as JsonObject)[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

function stringAt(value: unknown, key: string, inner: string): string | undefined {
  const v = objectAt(value, key)?.[inner];
  return typeof v === 'string' ? v : undefined;
}

function pickString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string') return v;
  return undefined;
}
