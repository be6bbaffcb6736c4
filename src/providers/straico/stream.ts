// Straico answers with one JSON body, never a stream. The decoder holds the body (bounded) and
// turns it into canonical events at the end: start, text, tool calls parsed out of the answer's
// XML, finish and usage, or one error. The gateway has already opened the client stream with the
// role chunk and keeps it alive with heartbeats while this waits (synthesizesStream).
//
// Bodies understood: the chat endpoint's chat.completion (plus price/words); the prompt
// endpoint's {success: true, data: {completions: {<model>: {completion: chat.completion}}}};
// {success: false, error: "…"} and {error: …} as errors.
import type { CanonicalEvent, ErrorKind, FinishReason } from '../../canonical/events.ts';
import { convertOpenAIUsage } from '../openai-compatible/chat-stream.ts';
import { errorEventFromBody } from '../openai-compatible/errors.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { DecoderBase } from '../decoder-base.ts';
import { isJsonObject, type JsonObject } from '../../base/json.ts';
import { parseAnswer, type ParsedToolCall } from './tool-xml.ts';
import { preview } from '../payload.ts';

/** Larger bodies are refused, not buffered: no honest answer is this big. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface StraicoDecoderOptions {
  maxBodyBytes?: number;
}

export function createStreamDecoder(context: DecoderContext, options: StraicoDecoderOptions = {}): StreamDecoder {
  return new StraicoDecoder(context, options.maxBodyBytes ?? MAX_BODY_BYTES);
}

/** Holds the body until the end; closed once it is decoded or refused. */
class StraicoDecoder extends DecoderBase {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly context: DecoderContext,
    private readonly limit: number,
  ) {
    super();
  }

  get bufferedBytes(): number {
    return this.closed ? 0 : this.size;
  }

  protected decode(chunk: Buffer): void {
    if (this.closed) return;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.parts = [];
      this.fail({ type: 'error', kind: 'malformed', message: `upstream body is larger than ${this.limit} bytes` });
      return;
    }
    this.parts.push(Buffer.from(chunk)); // copy: the caller may reuse its buffer
  }

  protected endOfStream(): void {
    const text = Buffer.concat(this.parts, this.size).toString('utf8');
    this.parts = [];
    decodeBody(text, this.context, this.out);
  }
}

function decodeBody(text: string, context: DecoderContext, out: CanonicalEvent[]): void {
  if (text.trim() === '') return error(out, 'truncated', 'upstream answered with an empty body');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    // A body cut off mid-JSON ends early; anything else is not JSON at all.
    const cut = /end of (JSON )?input|Unterminated/i.test((err as Error).message);
    return error(out, cut ? 'truncated' : 'malformed', `upstream answer is ${cut ? 'cut off' : 'not JSON'}: ${preview(text)}`);
  }
  if (!isJsonObject(body)) return error(out, 'malformed', `upstream answer is not a JSON object: ${preview(text)}`);
  const b = body;
  if (b['success'] === false) {
    const message =
      typeof b['error'] === 'string' ? b['error'] : typeof b['message'] === 'string' ? b['message'] : 'Straico reported a failure';
    return error(out, 'upstream', message);
  }
  if (b['error'] !== undefined && b['error'] !== null) {
    out.push(errorEventFromBody(b));
    return;
  }
  const completion = b['data'] !== undefined ? promptCompletion(b['data'], context.model) : b;
  if (typeof completion === 'string') return error(out, 'malformed', completion);
  emitCompletion(completion, context, out);
}

/** The prompt endpoint nests one completion per requested model. */
function promptCompletion(data: unknown, model: string): JsonObject | string {
  const completions = (data as JsonObject | null)?.['completions'];
  if (completions === null || typeof completions !== 'object') return 'upstream answer has no data.completions';
  const byModel = completions as JsonObject;
  const keys = Object.keys(byModel);
  const entry = byModel[model] ?? (keys.length === 1 ? byModel[keys[0]!] : undefined);
  const completion = (entry as JsonObject | undefined)?.['completion'];
  if (completion === null || typeof completion !== 'object') return `upstream answer has no completion for model ${JSON.stringify(model)}`;
  return completion as JsonObject;
}

function emitCompletion(c: JsonObject, context: DecoderContext, out: CanonicalEvent[]): void {
  const choices = c['choices'];
  if (!Array.isArray(choices) || choices.length === 0) return error(out, 'malformed', 'upstream answer has no choices');
  // Parse every answer first: a broken tool call fails the whole response, before any content.
  const decoded: { choice: number; text: string; calls: ParsedToolCall[]; finish: unknown }[] = [];
  for (let i = 0; i < choices.length; i++) {
    const ch = (choices[i] ?? {}) as JsonObject;
    const message = (ch['message'] ?? {}) as JsonObject;
    const parsed = parseAnswer(contentText(message['content']));
    if (!parsed.ok) return error(out, 'malformed', `Straico answer has a malformed tool call: ${parsed.message}`);
    decoded.push({
      choice: typeof ch['index'] === 'number' ? ch['index'] : i,
      text: parsed.text,
      calls: [...parsed.calls, ...nativeCalls(message['tool_calls'])],
      finish: ch['finish_reason'],
    });
  }
  out.push({
    type: 'start',
    id: typeof c['id'] === 'string' && c['id'] !== '' ? c['id'] : context.newId('chatcmpl-'),
    model: typeof c['model'] === 'string' && c['model'] !== '' ? c['model'] : context.model,
    created: typeof c['created'] === 'number' && c['created'] > 0 ? c['created'] : context.now(),
  });
  let toolIndex = 0;
  for (const d of decoded) {
    if (d.text !== '') out.push({ type: 'text-delta', choice: d.choice, text: d.text });
    for (const call of d.calls) {
      const index = toolIndex++;
      out.push({ type: 'tool-call-start', choice: d.choice, index, id: context.newId('call_'), name: call.name });
      out.push({ type: 'tool-call-delta', choice: d.choice, index, arguments: call.arguments });
    }
    const raw = typeof d.finish === 'string' ? d.finish : 'stop';
    out.push({ type: 'finish', choice: d.choice, reason: d.calls.length > 0 ? 'tool_calls' : finishReason(raw), raw });
  }
  const usage = c['usage'];
  if (usage !== null && typeof usage === 'object') out.push({ type: 'usage', usage: convertOpenAIUsage(usage as JsonObject) });
}

/** Content as a string, or as text parts (both seen from Straico), or null. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (typeof (p as JsonObject | null)?.['text'] === 'string' ? ((p as JsonObject)['text'] as string) : ''))
      .join('');
  return '';
}

/** Should Straico ever return OpenAI tool_calls itself, they count like parsed ones. */
function nativeCalls(calls: unknown): ParsedToolCall[] {
  if (!Array.isArray(calls)) return [];
  return calls.flatMap((c: unknown) => {
    const fn = ((c as JsonObject | null)?.['function'] ?? {}) as JsonObject;
    if (typeof fn['name'] !== 'string') return [];
    const args = fn['arguments'];
    return [{ name: fn['name'], arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) }];
  });
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  length: 'length',
  max_tokens: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
};

function finishReason(raw: string): FinishReason {
  // "tool_calls" without any call in the answer would promise calls the client cannot find.
  const reason = FINISH[raw] ?? 'stop';
  return reason === 'tool_calls' ? 'stop' : reason;
}

function error(out: CanonicalEvent[], kind: ErrorKind, message: string): void {
  out.push({ type: 'error', kind, message });
}
