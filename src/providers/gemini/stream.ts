// Gemini `streamGenerateContent?alt=sse` (Gemini API and Vertex AI): CRLF-framed `data:` events,
// each a whole GenerateContentResponse holding only the new parts. What makes it unlike OpenAI:
// - no terminator: the body just ends. A chunk carrying `finishReason` (or a prompt block) is
//   the terminal event; EOF before it is a truncated stream, never a success.
// - `usageMetadata` on every chunk, cumulative: the last one that carries a count is the stream's
//   statement, whole (a count it leaves out is zero: proto3 JSON omits zeros), never a sum and
//   never merged field by field with earlier ones, even when it goes down.
// - function calls arrive whole (args as an object) with no id; the id is invented. On Vertex with
//   streamFunctionCallArguments a call arrives in parts instead: one with the name and
//   `willContinue: true`, then nameless parts whose `partialArgs` set values by JSON path (string
//   values continue across parts), ended by a part without `willContinue` (often a bare
//   `functionCall: {}`). They are assembled into one call; its arguments go out whole when it ends.
//   A nameless part that continues no call, or a finish while a call is still streaming, is a
//   decoding error, never a silent tool call.
// - server-side parts (executableCode, codeExecutionResult, toolCall, toolResponse) and
//   groundingMetadata carry nothing for the client and are dropped.
// - `finishReason` is STOP even when the answer is function calls: we say tool_calls.
// - errors after the 200 arrive in-band as `{"error":{code,message,status}}`.
// Decisions: a blocked prompt (promptFeedback.blockReason, no candidates) is a content_filter
// finish, not an error (the request was answered with nothing, as OpenAI reports filtered output);
// MALFORMED_FUNCTION_CALL and its kin are errors (see FAILED_CALL). A raw error body written
// without `data:` (seen only in hand-made mocks) is no SSE event: it ends as a truncation.
import type { CanonicalUsage, FinishReason } from '../../canonical/events.ts';
import type { SseEvent } from '../../sse/parser.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../base/json.ts';
import { SseDecoder, type ErrorEvent } from '../decoder-base.ts';
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { errorKind } from '../openai-compatible/errors.ts';
import { num, preview } from '../payload.ts';

const FINISH: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
};

/**
 * Finish reasons that mean the model tried to call a function and failed: no usable call was
 * produced, so ending with `stop` (or `tool_calls`) would tell the client a lie. They end the
 * stream with an error carrying the reason as its code.
 */
const FAILED_CALL = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

/** Google's canonical error statuses, for an in-band error that carries no HTTP code. */
const STATUS_HTTP: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

const TOKEN_COUNTS = [
  'promptTokenCount',
  'candidatesTokenCount',
  'totalTokenCount',
  'thoughtsTokenCount',
  'toolUsePromptTokenCount',
  'cachedContentTokenCount',
];

/** Maps a Gemini finishReason to OpenAI's word; unknown and OTHER reasons become `stop`. */
export function mapGeminiFinishReason(raw: string, madeFunctionCalls: boolean): FinishReason {
  const reason = FINISH[raw] ?? 'stop';
  return reason === 'stop' && madeFunctionCalls ? 'tool_calls' : reason;
}

/** Gemini usageMetadata → canonical usage. Thoughts count as completion tokens, as OpenAI's reasoning tokens do. */
export function convertGeminiUsage(u: JsonObject): CanonicalUsage {
  const prompt = num(u['promptTokenCount']) + num(u['toolUsePromptTokenCount']);
  const thoughts = u['thoughtsTokenCount'];
  const completion = num(u['candidatesTokenCount']) + num(thoughts);
  const total = u['totalTokenCount'];
  const usage: CanonicalUsage = {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: typeof total === 'number' ? total : prompt + completion,
  };
  if (typeof u['cachedContentTokenCount'] === 'number') usage.cachedPromptTokens = u['cachedContentTokenCount'];
  if (typeof thoughts === 'number') usage.reasoningTokens = thoughts;
  return usage;
}

/** An in-band `{"error":{code,message,status}}` object → a canonical error, message kept verbatim. */
export function geminiErrorEvent(body: JsonObject): ErrorEvent {
  const e = (body['error'] !== null && typeof body['error'] === 'object' ? body['error'] : {}) as JsonObject;
  const status = typeof e['status'] === 'string' ? e['status'] : undefined;
  const code = typeof e['code'] === 'number' ? e['code'] : undefined;
  const http = code !== undefined && code >= 400 && code < 600 ? code : status !== undefined ? STATUS_HTTP[status] : undefined;
  const event: ErrorEvent = {
    type: 'error',
    kind: errorKind(http),
    message: typeof e['message'] === 'string' ? e['message'] : typeof body['error'] === 'string' ? body['error'] : 'upstream error',
    code: status ?? code ?? null,
  };
  if (http !== undefined) event.status = http;
  return event;
}

function hasTokenCount(u: JsonObject): boolean {
  for (const k of TOKEN_COUNTS) if (typeof u[k] === 'number') return true;
  return false;
}

export function createGeminiStreamDecoder(context: DecoderContext): StreamDecoder {
  return new GeminiStreamDecoder(context);
}

/** A function call whose arguments are still streaming (Vertex partialArgs). */
interface StreamingCall {
  index: number;
  name: string;
  args: JsonObject;
  /** JSON paths (as given) whose string value the previous partial arg said will continue. */
  continuing: Set<string> | null;
}

// Collections are created when first needed.
class GeminiStreamDecoder extends SseDecoder {
  private started = false;
  private seen: Set<number> | null = null; // candidate indexes that sent anything
  private finished: Set<number> | null = null; // candidate indexes that sent a finishReason
  private toolCallCount: Map<number, number> | null = null; // per choice: OpenAI indexes count tool calls only
  private usage: JsonObject | null = null; // the last usageMetadata that carried a token count
  private streamingCalls: Map<number, StreamingCall> | null = null; // per choice: a call whose arguments still stream

  constructor(private readonly context: DecoderContext) {
    super(context);
  }

  protected endOfStream(): void {
    const finished = this.finished;
    const complete = finished !== null && finished.size > 0 && [...this.seen!].every((i) => finished.has(i));
    if (!complete) {
      this.out.push({ type: 'error', kind: 'truncated', message: 'upstream stream ended before a chunk with finishReason' });
      return;
    }
    // Usage is cumulative, so it is reported once, complete, at the end.
    if (this.usage !== null) this.out.push({ type: 'usage', usage: convertGeminiUsage(this.usage) });
  }

  protected event(ev: SseEvent): void {
    if (ev.data.trim() === '') return; // an empty event carries nothing (keep-alive)
    const c = parseJson(ev.data);
    if (c === undefined) {
      this.fail({ type: 'error', kind: 'malformed', message: `upstream sent a data event that is not JSON: ${preview(ev.data)}` });
      return;
    }
    if (!isJsonObject(c)) {
      this.fail({ type: 'error', kind: 'malformed', message: `upstream sent a data event that is not a JSON object: ${preview(ev.data)}` });
      return;
    }
    if (c['error'] !== undefined && c['error'] !== null) {
      this.fail(geminiErrorEvent(c));
      return;
    }
    if (!this.started) {
      this.started = true;
      const model = c['modelVersion'];
      const context = this.context;
      this.out.push({
        type: 'start',
        id: context.newId('chatcmpl-'),
        model: typeof model === 'string' && model !== '' ? model : context.model,
        created: context.now(),
      });
    }
    // Vertex's early chunks may carry only `trafficType`: no count, so no statement about usage.
    const meta = c['usageMetadata'];
    if (isJsonObject(meta) && hasTokenCount(meta)) this.usage = meta;

    const candidates = c['candidates'];
    if (Array.isArray(candidates)) {
      for (let i = 0; i < candidates.length && !this.closed; i++) this.handleCandidate(candidates[i] as JsonObject, i);
    }
    // A blocked prompt: one chunk with promptFeedback.blockReason and no candidates.
    const block = (c['promptFeedback'] as JsonObject | undefined)?.['blockReason'];
    if (typeof block === 'string' && !this.closed && !this.isFinished(0)) {
      this.markSeen(0);
      (this.finished ??= new Set()).add(0);
      this.out.push({ type: 'finish', choice: 0, reason: 'content_filter', raw: block });
    }
  }

  private markSeen(choice: number): void {
    (this.seen ??= new Set()).add(choice);
  }

  private isFinished(choice: number): boolean {
    return this.finished?.has(choice) === true;
  }

  private handleCandidate(candidate: JsonObject, position: number): void {
    if (candidate === null || typeof candidate !== 'object') return;
    const choice = typeof candidate['index'] === 'number' ? candidate['index'] : position;
    this.markSeen(choice);
    const parts = (candidate['content'] as JsonObject | undefined)?.['parts'];
    if (Array.isArray(parts)) {
      for (let i = 0; i < parts.length && !this.closed; i++) this.handlePart(parts[i] as JsonObject, choice);
      if (this.closed) return;
    }
    const raw = candidate['finishReason'];
    if (typeof raw !== 'string' || raw === '' || raw === 'FINISH_REASON_UNSPECIFIED' || this.isFinished(choice)) return;
    const streaming = this.streamingCalls?.get(choice);
    if (streaming !== undefined) {
      this.fail(malformed(`upstream finished while function call ${JSON.stringify(streaming.name)} was still streaming its arguments`));
      return;
    }
    (this.finished ??= new Set()).add(choice);
    if (FAILED_CALL.has(raw)) {
      const detail = candidate['finishMessage'];
      this.fail({
        type: 'error',
        kind: 'upstream',
        message: typeof detail === 'string' && detail !== '' ? `${raw}: ${detail}` : `upstream finished with ${raw}`,
        code: raw,
      });
      return;
    }
    this.out.push({ type: 'finish', choice, reason: mapGeminiFinishReason(raw, this.toolCallCount?.has(choice) === true), raw });
  }

  /** A functionCall part: a whole call, or the start, continuation or end of one whose arguments stream. */
  private functionCall(call: JsonObject, choice: number): void {
    const name = typeof call['name'] === 'string' && call['name'] !== '' ? call['name'] : null;
    const willContinue = call['willContinue'] === true;
    const partialArgs = call['partialArgs'];
    let streaming = this.streamingCalls?.get(choice);
    if (name === null) {
      if (streaming === undefined) {
        this.fail(malformed('upstream sent a function call without a name that continues no streamed call'));
        return;
      }
    } else {
      if (streaming !== undefined) this.endStreamingCall(streaming, choice); // a new call ends the one before
      const counts = (this.toolCallCount ??= new Map());
      const index = counts.get(choice) ?? 0;
      counts.set(choice, index + 1);
      const id = typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : this.context.newId('call_');
      this.out.push({ type: 'tool-call-start', choice, index, id, name });
      if (!willContinue && partialArgs === undefined) {
        this.out.push({ type: 'tool-call-delta', choice, index, arguments: JSON.stringify(call['args'] ?? {}) });
        return;
      }
      const args = isJsonObject(call['args']) ? call['args'] : {};
      streaming = { index, name, args, continuing: null };
      (this.streamingCalls ??= new Map()).set(choice, streaming);
    }
    if (Array.isArray(partialArgs) && !this.applyPartialArgs(streaming, partialArgs)) return;
    if (!willContinue) this.endStreamingCall(streaming, choice);
  }

  /** Applies Vertex partialArgs to a streaming call; false (after failing the stream) when one is unreadable. */
  private applyPartialArgs(call: StreamingCall, partialArgs: unknown[]): boolean {
    for (const arg of partialArgs) {
      const jsonPath = isJsonObject(arg) ? arg['jsonPath'] : undefined;
      const path = typeof jsonPath === 'string' ? parseJsonPath(jsonPath) : null;
      if (path === null) {
        this.fail(
          malformed(`upstream sent a partial argument of ${JSON.stringify(call.name)} with no usable jsonPath: ${JSON.stringify(arg)}`),
        );
        return false;
      }
      const a = arg as JsonObject;
      const key = jsonPath as string;
      if (typeof a['stringValue'] === 'string') {
        const before = call.continuing?.has(key) ? valueAt(call.args, path) : undefined;
        setAt(call.args, path, typeof before === 'string' ? before + a['stringValue'] : a['stringValue']);
      } else if (typeof a['numberValue'] === 'number') setAt(call.args, path, a['numberValue']);
      else if (typeof a['boolValue'] === 'boolean') setAt(call.args, path, a['boolValue']);
      else if (Object.hasOwn(a, 'nullValue')) setAt(call.args, path, null);
      if (a['willContinue'] === true) (call.continuing ??= new Set()).add(key);
      else call.continuing?.delete(key);
    }
    return true;
  }

  private endStreamingCall(call: StreamingCall, choice: number): void {
    this.streamingCalls!.delete(choice);
    this.out.push({ type: 'tool-call-delta', choice, index: call.index, arguments: JSON.stringify(call.args) });
  }

  private handlePart(part: JsonObject, choice: number): void {
    if (part === null || typeof part !== 'object') return;
    const call = part['functionCall'];
    if (isJsonObject(call)) {
      this.functionCall(call, choice);
      return;
    }
    const text = part['text'];
    if (typeof text !== 'string' || text === '') return; // e.g. an empty part carrying only a thoughtSignature
    if (part['thought'] === true) {
      const signature = part['thoughtSignature'];
      this.out.push(
        typeof signature === 'string' ? { type: 'reasoning-delta', choice, text, signature } : { type: 'reasoning-delta', choice, text },
      );
    } else {
      this.out.push({ type: 'text-delta', choice, text });
    }
  }
}

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return createGeminiStreamDecoder(context);
}

function malformed(message: string): ErrorEvent {
  return { type: 'error', kind: 'malformed', message };
}

/**
 * A JSON path as Vertex writes them (RFC 9535 subset: `$.a.b[0]`, `$['a']`) → its segments, or
 * null when it is not one (or is the root alone).
 */
export function parseJsonPath(path: string): (string | number)[] | null {
  if (!path.startsWith('$')) return null;
  const segments: (string | number)[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i + 1) return null;
      segments.push(path.slice(i + 1, j));
      i = j;
    } else if (path[i] === '[') {
      const close = path.indexOf(']', i);
      if (close === -1) return null;
      const inner = path.slice(i + 1, close);
      if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (inner.length >= 2 && (inner[0] === "'" || inner[0] === '"') && inner.at(-1) === inner[0]) segments.push(inner.slice(1, -1));
      else return null;
      i = close + 1;
    } else {
      return null;
    }
  }
  return segments.length > 0 ? segments : null;
}

/** Sets an own property (never a prototype, whatever the key). */
function put(target: JsonObject | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value at `path` under `root`, or undefined. */
function valueAt(root: JsonObject, path: readonly (string | number)[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Sets `value` at `path` under `root`, making objects (or arrays, for numeric segments) on the way. */
function setAt(root: JsonObject, path: readonly (string | number)[], value: unknown): void {
  let node: JsonObject | unknown[] = root;
  for (let k = 0; k < path.length - 1; k++) {
    const key = path[k]!;
    let next = Object.hasOwn(node, key) ? (node as Record<string | number, unknown>)[key] : undefined;
    if (next === null || typeof next !== 'object') {
      next = typeof path[k + 1] === 'number' ? [] : {};
      put(node, key, next);
    }
    node = next as JsonObject | unknown[];
  }
  put(node, path[path.length - 1]!, value);
}
