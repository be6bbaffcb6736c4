// Decoder for upstreams that stream OpenAI chat-completion chunks (OpenAI, Azure, xAI, Together,
// vLLM/Backend.AI, …). Each payload is parsed once; every quirk these upstreams are known for is
// tolerated here: empty `choices` (Azure prompt filter, usage and annotation chunks), usage on a
// content chunk (Together) or on every chunk (vLLM continuous usage), `null` tool_calls, whole
// tool calls in one chunk (xAI), `event: error` (Groq) and `data: {"error":…}`, errors followed
// by `[DONE]` (vLLM).
import type { CanonicalUsage, FinishReason } from '../../canonical/events.ts';
import type { SseEvent } from '../../sse/parser.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../base/json.ts';
import { SseDecoder } from '../decoder-base.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { errorEventFromBody } from './errors.ts';
import { num, preview } from '../payload.ts';

export interface OpenAIChatDecoderOptions {
  /** Provider-specific finish reasons mapped to OpenAI's (e.g. Together's "eos"). */
  finishReasons?: Record<string, FinishReason>;
  /**
   * The upstream leaves reasoning tokens out of completion_tokens (xAI): normalized usage adds
   * them, so completion counts reasoning as OpenAI's does and prompt + completion = total.
   */
  reasoningTokensOutsideCompletion?: boolean;
}

const OPENAI_FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  function_call: 'function_call',
};

export function mapFinishReason(raw: string, extra?: Record<string, FinishReason>): FinishReason {
  return extra?.[raw] ?? OPENAI_FINISH[raw] ?? 'stop';
}

/**
 * OpenAI usage → canonical usage. With `reasoningOutsideCompletion` (xAI), reasoning tokens are
 * added to completion_tokens and the total is prompt + completion, as OpenAI counts them.
 */
export function convertOpenAIUsage(u: JsonObject, reasoningOutsideCompletion = false): CanonicalUsage {
  const usage: CanonicalUsage = {
    promptTokens: num(u['prompt_tokens']),
    completionTokens: num(u['completion_tokens']),
    totalTokens: num(u['total_tokens']),
  };
  const cached = (u['prompt_tokens_details'] as JsonObject | null | undefined)?.['cached_tokens'];
  if (typeof cached === 'number') usage.cachedPromptTokens = cached;
  const reasoning = (u['completion_tokens_details'] as JsonObject | null | undefined)?.['reasoning_tokens'];
  if (typeof reasoning === 'number') {
    usage.reasoningTokens = reasoning;
    if (reasoningOutsideCompletion) {
      usage.completionTokens += reasoning;
      usage.totalTokens = usage.promptTokens + usage.completionTokens;
    }
  }
  return usage;
}

export function createOpenAIChatDecoder(context: DecoderContext, options: OpenAIChatDecoderOptions = {}): StreamDecoder {
  return new OpenAIChatDecoder(context, options.finishReasons, options.reasoningTokensOutsideCompletion === true);
}

class OpenAIChatDecoder extends SseDecoder {
  private started = false;
  /** Tool calls already started, as "choice:index" (made with the first tool call). */
  private toolCalls: Set<string> | null = null;

  constructor(
    private readonly context: DecoderContext,
    private readonly finishReasons: Record<string, FinishReason> | undefined,
    private readonly reasoningOutsideCompletion: boolean,
  ) {
    super(context);
  }

  protected endOfStream(): void {
    this.out.push({ type: 'error', kind: 'truncated', message: 'upstream stream ended before [DONE]' });
  }

  protected event(ev: SseEvent): void {
    if (ev.data === '[DONE]') {
      this.closed = true;
      return;
    }
    const chunk = parseJson(ev.data);
    if (chunk === undefined) {
      this.fail({ type: 'error', kind: 'malformed', message: `upstream sent a data event that is not JSON: ${preview(ev.data)}` });
      return;
    }
    if (!isJsonObject(chunk)) {
      this.fail({ type: 'error', kind: 'malformed', message: `upstream sent a data event that is not a JSON object: ${preview(ev.data)}` });
      return;
    }
    if (ev.type === 'error' || chunk['error'] !== undefined || chunk['object'] === 'error') {
      this.fail(errorEventFromBody(chunk));
      return;
    }
    if (!this.started && typeof chunk['id'] === 'string' && chunk['id'] !== '') {
      this.started = true;
      this.out.push({
        type: 'start',
        id: chunk['id'],
        model: typeof chunk['model'] === 'string' && chunk['model'] !== '' ? chunk['model'] : this.context.model,
        created: typeof chunk['created'] === 'number' && chunk['created'] > 0 ? chunk['created'] : this.context.now(),
      });
    }
    const choices = chunk['choices'];
    if (Array.isArray(choices)) {
      for (let i = 0; i < choices.length; i++) this.handleChoice(choices[i] as JsonObject, i);
    }
    const usage = chunk['usage'];
    if (usage !== null && typeof usage === 'object')
      this.out.push({ type: 'usage', usage: convertOpenAIUsage(usage as JsonObject, this.reasoningOutsideCompletion) });
  }

  private handleChoice(c: JsonObject, position: number): void {
    const out = this.out;
    const choice = typeof c['index'] === 'number' ? c['index'] : position;
    const delta = c['delta'] as JsonObject | null | undefined;
    if (delta) {
      const reasoning = delta['reasoning_content'] ?? delta['reasoning'];
      if (typeof reasoning === 'string' && reasoning !== '') out.push({ type: 'reasoning-delta', choice, text: reasoning });
      const content = delta['content'];
      if (typeof content === 'string' && content !== '') out.push({ type: 'text-delta', choice, text: content });
      const refusal = delta['refusal'];
      if (typeof refusal === 'string' && refusal !== '') out.push({ type: 'refusal-delta', choice, text: refusal });
      const toolCalls = delta['tool_calls'];
      if (Array.isArray(toolCalls)) {
        for (let k = 0; k < toolCalls.length; k++) this.handleToolCall(toolCalls[k] as JsonObject, k, choice);
      }
    }
    const finish = c['finish_reason'];
    if (typeof finish === 'string') out.push({ type: 'finish', choice, reason: mapFinishReason(finish, this.finishReasons), raw: finish });
  }

  private handleToolCall(tc: JsonObject, position: number, choice: number): void {
    const index = typeof tc['index'] === 'number' ? tc['index'] : position;
    const fn = (tc['function'] ?? {}) as JsonObject;
    const key = `${choice}:${index}`;
    const started = (this.toolCalls ??= new Set());
    if (!started.has(key)) {
      started.add(key);
      this.out.push({
        type: 'tool-call-start',
        choice,
        index,
        id: typeof tc['id'] === 'string' ? tc['id'] : this.context.newId('call_'),
        name: typeof fn['name'] === 'string' ? fn['name'] : '',
      });
    }
    const args = fn['arguments'];
    if (typeof args === 'string' && args !== '') this.out.push({ type: 'tool-call-delta', choice, index, arguments: args });
  }
}
