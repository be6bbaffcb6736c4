// The meaning of a recorded response, as a cassette's `expect` block: what an OpenAI client of a
// conforming gateway gets from it (text, refusal, reasoning, tool calls, usage, finish reason,
// error, HTTP status). The provider's own decoder (the registry's) reads the bytes, read by read,
// exactly as the reference gateway's pipeline does, and the canonical events are folded the way
// an OpenAI client accumulates chunks.
//
// Ids a gateway must invent (tool calls of providers that send none, like Gemini and Straico) are
// the ones the reference gateway invents in harness runs: derived from the bytes of the request
// the harness sends (the cassette's request with the model as `<provider>/<model>`), in the order
// the pipeline asks for them. `test/record/meaning.test.ts` holds this to src/gateway/context.ts.
import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../canonical/events.ts';
import { createOpenAIChatEncoder, errorTypeFor } from '../canonical/openai-chat-encoder.ts';
import { isJsonObject, parseJson, parseJsonObject, type JsonObject } from '../base/json.ts';
import { errorEventFromBody, errorKind } from '../providers/openai-compatible/errors.ts';
import type { DecoderContext, ProviderDescriptor } from '../providers/types.ts';
import { createSseParser } from '../sse/parser.ts';

type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

/** The `expect` block as written (key order is the order in the file). */
export interface ExpectBlock {
  reviewed: false;
  status?: number;
  text: string;
  refusal?: string;
  reasoning?: string;
  toolCalls?: { id: string; name: string; arguments: unknown }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** The upstream's own usage, when a passthrough gateway forwards numbers that normalize mode corrects. */
  rawUsage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  finishReason: string | null;
  rawFinishReason?: string;
  error?: { message?: string; type?: string };
}

export interface MeaningInput {
  provider: ProviderDescriptor;
  status: number;
  contentType: string;
  /** The response body's reads, already redacted (the cassette's chunks). */
  reads: readonly Buffer[];
  end: 'end' | 'reset' | 'hang';
  /** The client asked for a stream (the gateway answers SSE) or not (one JSON answer). */
  streaming: boolean;
  /** The client asked for stream_options.include_usage. */
  includeUsage: boolean;
  context: DecoderContext;
}

export interface Meaning {
  expect: ExpectBlock;
  /** What the exchange exercises, for the cassette's name: text, tool-calls, error-429, … */
  exercises: string;
  /** Things a reviewer must know (a body the dialect cannot read, arguments that are not JSON). */
  notes: string[];
}

/** The reference gateway's harness limit on SSE lines. */
const HARNESS_MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * The ids and clock the reference gateway uses in harness runs for this request: the request the
 * harness sends is `{...body, model: "<provider>/<model>"}` as JSON (src/scenario/kinds/parity,
 * src/target/profile.ts), ids derive from its SHA-256 (src/gateway/context.ts).
 */
export function harnessDecoderContext(provider: string, requestBody: Record<string, unknown>, model: string): DecoderContext {
  const raw = Buffer.from(JSON.stringify({ ...requestBody, model: `${provider}/${model}` }));
  const digest = createHash('sha256').update(raw).digest('hex').slice(0, 24);
  let counter = 0;
  return {
    model,
    maxLineBytes: HARNESS_MAX_LINE_BYTES,
    now: () => 0,
    newId: (prefix) => `${prefix}${digest}${counter++ === 0 ? '' : `-${counter - 1}`}`,
  };
}

const EXPECT_ORDER: readonly (keyof ExpectBlock)[] = [
  'reviewed',
  'status',
  'text',
  'refusal',
  'reasoning',
  'toolCalls',
  'usage',
  'rawUsage',
  'finishReason',
  'rawFinishReason',
  'error',
];

export function meaningOf(input: MeaningInput): Meaning {
  const meaning = unordered(input);
  const expect = Object.fromEntries(EXPECT_ORDER.filter((k) => meaning.expect[k] !== undefined).map((k) => [k, meaning.expect[k]]));
  return { ...meaning, expect: expect as unknown as ExpectBlock };
}

function unordered(input: MeaningInput): Meaning {
  const notes: string[] = [];
  if (input.status < 200 || input.status >= 300) return statusMeaning(input);
  const json = /\bjson\b/i.test(input.contentType);
  if (!input.streaming && input.provider.supportsPassthrough) return completionMeaning(input, notes);
  if (json && !input.provider.synthesizesStream && input.provider.supportsPassthrough === false) {
    notes.push(
      `the body is JSON (${input.contentType}), not a ${input.provider.displayName} stream: the gateway reads this provider as a stream, so the expect below is what it makes of the JSON`,
    );
  }
  const fold = decode(input);
  if (!input.streaming) return aggregatedMeaning(fold, notes);
  return streamMeaning(input, fold, notes);
}

/** An error status: the gateway answers with that status and the provider's message (src/gateway/serve-attempt.ts). */
function statusMeaning(input: MeaningInput): Meaning {
  const text = Buffer.concat(input.reads).toString('utf8');
  const parsed = parseJson(text);
  const expect: ExpectBlock = { reviewed: false, status: input.status, text: '', finishReason: null };
  if (parsed !== null && typeof parsed === 'object') {
    const e = errorEventFromBody(parsed as JsonObject, input.status);
    expect.error = { message: e.message, type: e.errorType ?? errorTypeFor(e.kind) };
  } else {
    expect.error = { type: errorTypeFor(errorKind(input.status)) };
  }
  return { expect, exercises: `error-${input.status}`, notes: [] };
}

/** An OpenAI-compatible JSON answer, forwarded as it is: read as an OpenAI client reads it. */
function completionMeaning(input: MeaningInput, notes: string[]): Meaning {
  const body = parseJsonObject(Buffer.concat(input.reads));
  const expect: ExpectBlock = { reviewed: false, text: '', finishReason: null };
  if (body === undefined || input.end !== 'end') {
    notes.push(input.end !== 'end' ? `the JSON answer was cut (${input.end})` : 'the JSON answer does not parse');
    expect.error = {};
    return { expect, exercises: `non-stream-${input.end === 'end' ? 'malformed' : input.end}`, notes };
  }
  if (isJsonObject(body['error'])) {
    const e = errorEventFromBody(body);
    expect.error = { message: e.message, type: e.errorType ?? errorTypeFor(e.kind) };
  }
  const choice = Array.isArray(body['choices']) && isJsonObject(body['choices'][0]) ? body['choices'][0] : {};
  const message = isJsonObject(choice['message']) ? choice['message'] : {};
  expect.text = typeof message['content'] === 'string' ? message['content'] : '';
  if (typeof message['refusal'] === 'string' && message['refusal'] !== '') expect.refusal = message['refusal'];
  const reasoning = message['reasoning_content'] ?? message['reasoning'];
  if (typeof reasoning === 'string' && reasoning !== '') expect.reasoning = reasoning;
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'].filter(isJsonObject) : [];
  if (calls.length > 0) {
    expect.toolCalls = calls.map((tc, i) => {
      const fn = isJsonObject(tc['function']) ? tc['function'] : {};
      return {
        id: typeof tc['id'] === 'string' ? tc['id'] : '',
        name: typeof fn['name'] === 'string' ? fn['name'] : '',
        arguments: parsedArguments(typeof fn['arguments'] === 'string' ? fn['arguments'] : '', i, notes),
      };
    });
  }
  const usage = isJsonObject(body['usage']) ? body['usage'] : undefined;
  if (usage) expect.usage = pickUsage(usage);
  expect.finishReason = typeof choice['finish_reason'] === 'string' ? choice['finish_reason'] : null;
  return { expect, exercises: `non-stream-${exercised(expect, input.end)}`, notes };
}

interface Fold {
  text: string;
  refusal: string;
  reasoning: string;
  calls: { id: string; name: string; arguments: string }[];
  usage: Extract<CanonicalEvent, { type: 'usage' }>['usage'] | null;
  finish: string | null;
  rawFinish: string | null;
  error: ErrorEvent | null;
  /** The body ended in a reset or a hang while the stream was still open. */
  transportFailure: boolean;
}

/** Decodes the reads as the gateway's pipeline does, folding events as an OpenAI client would see them. */
function decode(input: MeaningInput): Fold {
  const { provider, context, streaming } = input;
  const fold: Fold = {
    text: '',
    refusal: '',
    reasoning: '',
    calls: [],
    usage: null,
    finish: null,
    rawFinish: null,
    error: null,
    transportFailure: false,
  };
  // The encoder runs only for its side effect on ids: it asks for a fallback id when content
  // comes before any start event (and at once for synthesised streams), as the gateway's does.
  const encoder = createOpenAIChatEncoder({
    includeUsage: input.includeUsage,
    fallbackStart: () => ({ id: context.newId('chatcmpl-'), model: context.model, created: context.now() }),
  });
  if (streaming && provider.synthesizesStream) encoder.open();
  const decoder = provider.createStreamDecoder(context);
  const take = (events: CanonicalEvent[]) => {
    for (const e of events) {
      if (fold.error) return;
      if (streaming) encoder.encode(e);
      add(fold, e);
    }
  };
  const step = (run: (out: CanonicalEvent[]) => void): void => {
    const events: CanonicalEvent[] = [];
    try {
      run(events);
    } catch (err) {
      events.push({ type: 'error', kind: 'malformed', message: `upstream stream could not be decoded: ${(err as Error).message}` });
    }
    take(events);
  };
  for (const read of input.reads) {
    if (fold.error) break;
    step((out) => decoder.feed(read, out));
  }
  if (fold.error) return fold;
  if (input.end === 'end') {
    step((out) => decoder.end(out));
    return fold;
  }
  // A reset or a hang: complete if the decoder had seen its end, else the stream failed.
  const probe: CanonicalEvent[] = [];
  try {
    decoder.end(probe);
  } catch {
    probe.push({ type: 'error', kind: 'malformed', message: 'undecodable' });
  }
  if (probe.some((e) => e.type === 'error')) fold.transportFailure = true;
  else take(probe);
  return fold;
}

function add(fold: Fold, e: CanonicalEvent): void {
  switch (e.type) {
    case 'text-delta':
      if (e.choice === 0) fold.text += e.text;
      return;
    case 'refusal-delta':
      if (e.choice === 0) fold.refusal += e.text;
      return;
    case 'reasoning-delta':
      if (e.choice === 0) fold.reasoning += e.text;
      return;
    case 'tool-call-start':
      if (e.choice === 0) fold.calls[e.index] = { id: e.id, name: e.name, arguments: '' };
      return;
    case 'tool-call-delta': {
      const call = e.choice === 0 ? fold.calls[e.index] : undefined;
      if (call) call.arguments += e.arguments;
      return;
    }
    case 'usage':
      fold.usage = e.usage;
      return;
    case 'finish':
      if (e.choice === 0) {
        fold.finish = e.reason;
        fold.rawFinish = e.raw ?? null;
      }
      return;
    case 'error':
      fold.error = e;
      return;
    case 'start':
    case 'comment':
      return;
  }
}

function streamMeaning(input: MeaningInput, fold: Fold, notes: string[]): Meaning {
  const expect = contentExpect(fold, notes);
  if (input.includeUsage && fold.usage) expect.usage = canonicalUsage(fold.usage);
  // A passthrough gateway forwards the upstream's own numbers (xAI counts reasoning outside completion).
  if (input.includeUsage && expect.usage && input.provider.supportsPassthrough) {
    const raw = lastChunkUsage(input.reads);
    if (raw && JSON.stringify(raw) !== JSON.stringify(expect.usage)) expect.rawUsage = raw;
  }
  // A passthrough gateway forwards the upstream's own word for the finish reason.
  if (input.provider.supportsPassthrough && fold.rawFinish !== null && fold.rawFinish !== fold.finish)
    expect.rawFinishReason = fold.rawFinish;
  if (fold.error) expect.error = { message: fold.error.message, type: fold.error.errorType ?? errorTypeFor(fold.error.kind) };
  else if (fold.transportFailure) {
    // The gateway words a transport failure its own way: any error event will do.
    expect.error = {};
    notes.push(`the body ended in a ${input.end} before the end of the stream: the client must see an error event`);
  }
  return { expect, exercises: exercised(expect, input.end, fold), notes };
}

/** What the answer said, streamed or not: text, refusal, reasoning, tool calls and the finish reason. */
function contentExpect(fold: Fold, notes: string[]): ExpectBlock {
  const expect: ExpectBlock = { reviewed: false, text: fold.text, finishReason: fold.finish };
  if (fold.refusal) expect.refusal = fold.refusal;
  if (fold.reasoning) expect.reasoning = fold.reasoning;
  const calls = fold.calls.filter(Boolean);
  if (calls.length > 0)
    expect.toolCalls = calls.map((c, i) => ({ id: c.id, name: c.name, arguments: parsedArguments(c.arguments, i, notes) }));
  return expect;
}

/** A non-streaming client of a provider the gateway reads as a stream: one chat.completion, or the error with its status. */
function aggregatedMeaning(fold: Fold, notes: string[]): Meaning {
  if (fold.error || fold.transportFailure) {
    const e = fold.error;
    const expect: ExpectBlock = { reviewed: false, status: e ? (e.status ?? 502) : 502, text: '', finishReason: null };
    expect.error = e ? { message: e.message, type: e.errorType ?? errorTypeFor(e.kind) } : {};
    return { expect, exercises: `non-stream-error-${expect.status}`, notes };
  }
  const expect = contentExpect(fold, notes);
  if (fold.usage) expect.usage = canonicalUsage(fold.usage);
  return { expect, exercises: `non-stream-${exercised(expect, 'end')}`, notes };
}

function exercised(expect: ExpectBlock, end: MeaningInput['end'], fold?: Fold): string {
  if (expect.error) {
    if (fold?.transportFailure) return end;
    if (fold?.error?.kind === 'truncated') return 'truncated';
    return expect.text || expect.toolCalls ? 'mid-stream-error' : 'stream-error';
  }
  if (expect.toolCalls) return 'tool-calls';
  if (expect.refusal) return 'refusal';
  if (expect.finishReason === 'length') return 'length';
  if (expect.finishReason === 'content_filter') return 'content-filter';
  if (expect.reasoning) return 'reasoning';
  return 'text';
}

/** Arguments as parsed JSON; text that is not JSON stays a string, with a note for the reviewer. */
function parsedArguments(text: string, index: number, notes: string[]): unknown {
  const parsed = parseJson(text);
  if (parsed !== undefined) return parsed;
  notes.push(
    `tool call ${index} has arguments that are not JSON (${JSON.stringify(text.slice(0, 60))}): the semantic check will report them`,
  );
  return text;
}

function canonicalUsage(u: NonNullable<Fold['usage']>): NonNullable<ExpectBlock['usage']> {
  return { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.totalTokens };
}

/** The last `usage` object in an OpenAI-compatible chunk stream, as the upstream sent it. */
function lastChunkUsage(reads: readonly Buffer[]): NonNullable<ExpectBlock['usage']> | null {
  let last: NonNullable<ExpectBlock['usage']> | null = null;
  const parser = createSseParser({
    onEvent(ev) {
      const usage = parseJsonObject(ev.data)?.['usage'];
      if (isJsonObject(usage)) last = pickUsage(usage);
    },
  });
  try {
    for (const read of reads) parser.feed(read);
    parser.end();
  } catch {
    // A stream the parser cannot read has no usage to state.
  }
  return last;
}

function pickUsage(u: JsonObject): NonNullable<ExpectBlock['usage']> {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { prompt_tokens: n(u['prompt_tokens']), completion_tokens: n(u['completion_tokens']), total_tokens: n(u['total_tokens']) };
}
