// What an OpenAI client makes of a gateway's output: text, refusal, reasoning, tool calls, usage,
// finish reason, error, and whether [DONE] came. Written independently of the gateway's encoder
// (it reads chunks the way the official SDK accumulates them) so it can judge it.
import type { Expectation } from '../cassette/schema.ts';
import { createSseParser } from '../sse/parser.ts';
import { jsonMismatches } from './upstream-request.ts';
import { parseJson, parseJsonObject } from '../base/json.ts';

// Chunks are read the way the SDK reads them: as loose JSON whose fields may be missing or of any
// type, so the reader walks them untyped and reports what it could not use as problems.
// biome-ignore lint/suspicious/noExplicitAny: see above
type LooseJson = any;

export interface ToolCallSeen {
  id: string;
  name: string;
  arguments: string;
}

export interface SemanticOutput {
  text: string;
  refusal: string;
  reasoning: string;
  toolCalls: ToolCallSeen[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  finishReason: string | null;
  error: { message?: string; type?: string } | null;
  sawDone: boolean;
  /** Events after [DONE] or after an error: a client would never see them. */
  eventsAfterEnd: number;
  problems: string[];
}

export function readOpenAIStream(body: Buffer): SemanticOutput {
  const s: SemanticOutput = {
    text: '',
    refusal: '',
    reasoning: '',
    toolCalls: [],
    usage: null,
    finishReason: null,
    error: null,
    sawDone: false,
    eventsAfterEnd: 0,
    problems: [],
  };
  const parser = createSseParser({
    onEvent(ev) {
      if (s.sawDone || s.error) {
        s.eventsAfterEnd++;
        return;
      }
      if (ev.data === '[DONE]') {
        s.sawDone = true;
        return;
      }
      const chunk: Record<string, LooseJson> | undefined = parseJsonObject(ev.data);
      if (chunk === undefined) {
        s.problems.push(`event is not a JSON object: ${ev.data.slice(0, 80)}`);
        return;
      }
      if (chunk['error'] !== undefined || ev.type === 'error') {
        const e = chunk['error'] ?? chunk;
        s.error = { message: e?.message, type: e?.type };
        return;
      }
      if (chunk['usage']) s.usage = pickUsage(chunk['usage']);
      for (const choice of chunk['choices'] ?? []) {
        if ((choice.index ?? 0) !== 0) continue;
        const d = choice.delta ?? {};
        if (typeof d.content === 'string') s.text += d.content;
        if (typeof d.refusal === 'string') s.refusal += d.refusal;
        const r = d.reasoning_content ?? d.reasoning;
        if (typeof r === 'string') s.reasoning += r;
        for (const tc of d.tool_calls ?? []) {
          const i = tc.index ?? 0;
          const call = (s.toolCalls[i] ??= { id: '', name: '', arguments: '' });
          if (tc.id) call.id = tc.id;
          if (tc.function?.name) call.name += tc.function.name;
          if (tc.function?.arguments) call.arguments += tc.function.arguments;
        }
        if (choice.finish_reason) s.finishReason = choice.finish_reason;
      }
    },
  });
  try {
    parser.feed(body);
    parser.end();
  } catch (err) {
    // A line past the parser's limit: what was read so far stands, and the output is malformed.
    s.problems.push(`the stream cannot be read as SSE: ${(err as Error).message}`);
  }
  return s;
}

/** The same summary from a non-streaming chat.completion body. */
export function readOpenAICompletion(body: Buffer): SemanticOutput {
  const s = readOpenAIStream(Buffer.alloc(0));
  const c: Record<string, LooseJson> | undefined = parseJsonObject(body);
  if (c === undefined) {
    s.problems.push('response body is not a JSON object');
    return s;
  }
  if (c['error']) s.error = { message: c['error'].message, type: c['error'].type };
  const m = c['choices']?.[0]?.message ?? {};
  s.text = m.content ?? '';
  s.refusal = m.refusal ?? '';
  s.reasoning = m.reasoning_content ?? m.reasoning ?? '';
  s.toolCalls = (m.tool_calls ?? []).map((tc: LooseJson) => ({ id: tc.id, name: tc.function?.name, arguments: tc.function?.arguments }));
  s.finishReason = c['choices']?.[0]?.finish_reason ?? null;
  if (c['usage']) s.usage = pickUsage(c['usage']);
  s.sawDone = true;
  return s;
}

function pickUsage(u: LooseJson): SemanticOutput['usage'] {
  return { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens };
}

/** A value quoted for a message, at most QUOTE_MAX_CHARS of it: a target's text can be megabytes. */
const QUOTE_MAX_CHARS = 2_000;
function quote(text: string | undefined): string {
  if (text === undefined || text.length <= QUOTE_MAX_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTE_MAX_CHARS))}… (${text.length} characters)`;
}

/**
 * Compares what the client saw with the cassette's reviewed expectation. A normalizing gateway
 * must also speak pure OpenAI: finish reasons mapped, and a terminal error as the last event
 * with no [DONE] after it; a passthrough gateway forwards the upstream's own words.
 */
export function semanticMismatches(
  seen: SemanticOutput,
  expect: Expectation,
  mode: 'normalize' | 'passthrough',
  /** Expected tool-call ids the target may replace with its own (ids the upstream never sent). */
  ownIds: ReadonlySet<string> = new Set(),
): string[] {
  const strictEnd = mode === 'normalize';
  const finishReason = mode === 'passthrough' ? (expect.rawFinishReason ?? expect.finishReason) : expect.finishReason;
  const out = [...seen.problems];
  if (seen.text !== expect.text) out.push(`text: expected ${quote(expect.text)}, got ${quote(seen.text)}`);
  if ((expect.refusal ?? '') !== seen.refusal) out.push(`refusal: expected ${quote(expect.refusal ?? '')}, got ${quote(seen.refusal)}`);
  if ((expect.reasoning ?? '') !== seen.reasoning)
    out.push(`reasoning: expected ${quote(expect.reasoning ?? '')}, got ${quote(seen.reasoning)}`);
  if (seen.toolCalls.length !== expect.toolCalls.length) {
    out.push(`tool calls: expected ${expect.toolCalls.length}, got ${seen.toolCalls.length}`);
  }
  expect.toolCalls.forEach((want, i) => {
    const got = seen.toolCalls[i];
    if (!got) return;
    if (ownIds.has(want.id)) {
      if (!got.id) out.push(`tool call ${i} id: missing (the upstream sent none; the gateway must invent one)`);
    } else if (got.id !== want.id) out.push(`tool call ${i} id: expected ${want.id}, got ${got.id}`);
    if (got.name !== want.name) out.push(`tool call ${i} name: expected ${want.name}, got ${got.name}`);
    const args = parseJson(got.arguments);
    if (args === undefined) {
      out.push(`tool call ${i} arguments are not JSON: ${quote(got.arguments)}`);
      return;
    }
    out.push(...jsonMismatches(want.arguments, args, false, `tool call ${i} arguments`));
  });
  const usage = mode === 'passthrough' ? (expect.rawUsage ?? expect.usage) : expect.usage;
  if (usage) {
    if (!seen.usage) out.push('usage: expected usage, got none');
    else out.push(...jsonMismatches(usage, seen.usage, false, 'usage'));
  }
  if (seen.finishReason !== finishReason) out.push(`finish_reason: expected ${finishReason}, got ${seen.finishReason}`);
  if (expect.error) {
    if (!seen.error) out.push(`error: expected an error event${seen.sawDone ? ', got a normal end with [DONE]' : ''}`);
    else {
      if (expect.error.message !== undefined && seen.error.message !== expect.error.message) {
        out.push(`error message: expected ${quote(expect.error.message)}, got ${quote(seen.error.message)}`);
      }
      if (strictEnd && seen.eventsAfterEnd > 0) out.push(`error: ${seen.eventsAfterEnd} event(s) after the terminal error`);
    }
  } else {
    if (seen.error) out.push(`unexpected error event: ${seen.error.message}`);
    else if (!seen.sawDone) out.push('stream ended without [DONE]');
  }
  return out;
}
