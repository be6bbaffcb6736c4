// The `protocol` conformance level: what every OpenAI-compatible chat-completions endpoint must
// do, judged from the response alone (status, headers, the bytes as they arrived) and the facts of
// the request, never from a golden. Pure functions; each rule is one named check, so a report says
// which rule a target broke and where.
//
// The terminal: a stream ends with exactly one terminal event, `data: [DONE]` or an OpenAI-shaped
// error event (`{"error": …}`, with or without `event: error`) with nothing after it. Two terminals
// ([DONE] twice, or two error events) are a "split terminal"; a [DONE] after an error is its own
// defect (a client that stops at the error never sees it; one that waits for [DONE] misses the
// error). A [DONE] split across writes is not a defect: the SSE parser reassembles it.
import { createSseParser } from '../sse/parser.ts';
import { parseJson, isJsonObject, type JsonObject } from '../base/json.ts';
import type { CheckResult } from './result.ts';
import { chatCompletionChunkSchema, chatCompletionSchema, errorBodySchema, promptFilterChunkSchema, shapeProblem } from './chunk-shape.ts';

export interface ProtocolRead {
  /** process.hrtime.bigint() when the read arrived. */
  at: bigint;
  bytes: Buffer;
}

export interface ProtocolInput {
  /** 0 when no response came at all. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as it arrived, read by read (the reads' bytes concatenated are the body). */
  reads: readonly ProtocolRead[];
  request: {
    stream: boolean;
    /** `stream_options.include_usage` was true. */
    includeUsage: boolean;
    /** Choices asked for (`n`, default 1). */
    choices: number;
  };
  /**
   * Whether the upstream's own stream carried usage (null: unknown). A target can only be blamed
   * for a missing usage chunk the upstream gave it.
   */
  upstreamUsage: boolean | null;
  /** The status a correct answer has (2xx: a stream or completion; 4xx/5xx: an error body). */
  expectedStatus: number;
  /**
   * When the upstream wrote its last bytes (hrtime ns), for runs that held the upstream's last
   * write back on purpose; null: buffering is not judged.
   */
  upstreamLastWriteAt: bigint | null;
}

/** Finish reasons an OpenAI client knows. */
export const OPENAI_FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'] as const;

/** Every check the protocol level runs on a stream, in report order. */
export const STREAM_CHECKS = [
  'protocol.status',
  'protocol.content-type',
  'protocol.sse-framing',
  'protocol.chunk-shape',
  'protocol.one-id-model',
  'protocol.indexes',
  'protocol.tool-calls-once',
  'protocol.tool-arguments',
  'protocol.single-terminal',
  'protocol.nothing-after-terminal',
  'protocol.usage',
  'protocol.finish-reason',
  'protocol.no-buffering',
] as const;

const MAX_PROBLEMS_SHOWN = 5;
/** One SSE line a chunk may reasonably take; past this the framing check fails rather than buffering more. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** The protocol checks for one response: a stream, a non-streamed completion, or an error body. */
export function protocolChecks(input: ProtocolInput): CheckResult[] {
  const body = Buffer.concat(input.reads.map((r) => r.bytes));
  const status = statusCheck(input);
  if (input.expectedStatus >= 400 || input.status >= 400) return [status, ...errorBodyChecks(input, body)];
  if (!input.request.stream) return [status, ...completionChecks(input, body)];
  return [status, ...streamChecks(input)];
}

function check(name: string, problems: readonly string[], note?: string): CheckResult {
  if (problems.length === 0) return note === undefined ? { name, ok: true } : { name, ok: true, message: note };
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  const more = problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : '';
  return { name, ok: false, message: problems[0]!, detail: `${shown.join('\n')}${more}` };
}

function header(headers: ProtocolInput['headers'], name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function statusCheck(input: ProtocolInput): CheckResult {
  const want = input.expectedStatus;
  const problems: string[] = [];
  if (input.status === 0) problems.push('no response');
  else if (want < 300 && input.status !== 200) problems.push(`status ${input.status}, expected 200`);
  else if (want >= 400 && input.status < 400)
    problems.push(`status ${input.status}, expected an error status (the upstream answered ${want})`);
  return check('protocol.status', problems);
}

function errorBodyChecks(input: ProtocolInput, body: Buffer): CheckResult[] {
  const type = header(input.headers, 'content-type');
  const ct = /^application\/json\b/i.test(type)
    ? []
    : [`content-type ${JSON.stringify(type)}, expected application/json for an error body`];
  const value = parseJson(body);
  const shape =
    value === undefined ? `the error body is not JSON: ${excerpt(body.toString('utf8'))}` : shapeProblem(errorBodySchema, value);
  return [check('protocol.content-type', ct), check('protocol.error-shape', shape ? [`error body: ${shape}`] : [])];
}

function completionChecks(input: ProtocolInput, body: Buffer): CheckResult[] {
  const type = header(input.headers, 'content-type');
  const ct = /^application\/json\b/i.test(type) ? [] : [`content-type ${JSON.stringify(type)}, expected application/json`];
  const value = parseJson(body);
  const shape = value === undefined ? `the body is not JSON: ${excerpt(body.toString('utf8'))}` : shapeProblem(chatCompletionSchema, value);
  return [check('protocol.content-type', ct), check('protocol.completion-shape', shape ? [`chat.completion: ${shape}`] : [])];
}

interface ToolCallState {
  id: string | null;
  name: string | null;
  args: string;
}

interface Terminal {
  kind: '[DONE]' | 'error';
  event: number;
}

/** The stream rules, from one pass over the events in arrival order. */
function streamChecks(input: ProtocolInput): CheckResult[] {
  const type = header(input.headers, 'content-type');
  const contentType = /^text\/event-stream\b/i.test(type) ? [] : [`content-type ${JSON.stringify(type)}, expected text/event-stream`];

  const framing: string[] = [];
  const shape: string[] = [];
  const idModel: string[] = [];
  const indexes: string[] = [];
  const once: string[] = [];
  const afterTerminal: string[] = [];
  const usage: number[] = [];
  const finish: string[] = [];
  const terminals: Terminal[] = [];
  const ids = new Set<string>();
  const models = new Set<string>();
  const finished = new Map<number, string>();
  const choicesSeen = new Set<number>();
  const calls = new Map<string, ToolCallState>(); // "<choice>.<index>"
  const callIds = new Map<string, string>(); // tool-call id → "<choice>.<index>"
  let firstContentAt: bigint | null = null;
  let events = 0;
  let readAt = 0n;
  let lastBoundary = 0;

  const onChunk = (n: number, chunk: JsonObject) => {
    if (typeof chunk['id'] === 'string') ids.add(chunk['id']);
    if (typeof chunk['model'] === 'string') models.add(chunk['model']);
    if (isJsonObject(chunk['usage'])) usage.push(n);
    let content = false;
    const seenHere = new Set<number>();
    for (const choice of chunk['choices'] as JsonObject[]) {
      const ci = choice['index'] as number;
      if (seenHere.has(ci)) indexes.push(`event ${n}: choice ${ci} twice in one chunk`);
      seenHere.add(ci);
      choicesSeen.add(ci);
      if (ci >= input.request.choices)
        indexes.push(`event ${n}: choice index ${ci}, but the request asked for ${input.request.choices} choice(s)`);
      const d = choice['delta'] as JsonObject;
      if (['content', 'refusal', 'reasoning_content', 'reasoning'].some((k) => typeof d[k] === 'string' && d[k] !== '')) content = true;
      if (finished.has(ci) && (d['content'] || d['tool_calls']))
        indexes.push(`event ${n}: choice ${ci} has content after its finish_reason`);
      const toolCalls = (d['tool_calls'] ?? []) as JsonObject[];
      if (toolCalls.length > 0) content = true;
      for (const tc of toolCalls) {
        const key = `${ci}.${tc['index'] as number}`;
        const where = `event ${n}: tool call ${tc['index'] as number} of choice ${ci}`;
        let call = calls.get(key);
        if (!call) {
          call = { id: null, name: null, args: '' };
          calls.set(key, call);
          if (!tc['id']) indexes.push(`${where}: first delta has no id (a client cannot tell which call it starts)`);
        }
        const fn = (tc['function'] ?? {}) as JsonObject;
        if (typeof tc['id'] === 'string' && tc['id'] !== '') {
          if (call.id !== null) once.push(`${where}: id ${JSON.stringify(tc['id'])} sent again (a tool call's id is sent once)`);
          const owner = callIds.get(tc['id']);
          if (owner !== undefined && owner !== key)
            once.push(`${where}: duplicated tool-call id ${JSON.stringify(tc['id'])}, already used by tool call ${owner.split('.')[1]}`);
          callIds.set(tc['id'], key);
          call.id = tc['id'];
        }
        if (typeof fn['name'] === 'string' && fn['name'] !== '') {
          if (call.name !== null) once.push(`${where}: name ${JSON.stringify(fn['name'])} sent again (a tool call's name is sent once)`);
          call.name = fn['name'];
        }
        if (typeof fn['arguments'] === 'string') call.args += fn['arguments'];
      }
      const reason = choice['finish_reason'];
      if (typeof reason === 'string') {
        if (finished.has(ci)) finish.push(`event ${n}: choice ${ci} finished twice (${finished.get(ci)}, then ${reason})`);
        else if (!(OPENAI_FINISH_REASONS as readonly string[]).includes(reason))
          finish.push(
            `event ${n}: finish_reason ${JSON.stringify(reason)} is not one an OpenAI client knows (${OPENAI_FINISH_REASONS.join(', ')})`,
          );
        finished.set(ci, reason);
      }
    }
    if (content && firstContentAt === null) firstContentAt = readAt;
  };

  const parser = createSseParser(
    {
      onEvent(ev) {
        const n = events++;
        const terminal = terminals.length > 0;
        if (ev.data === '[DONE]') {
          terminals.push({ kind: '[DONE]', event: n });
          return;
        }
        const value = parseJson(ev.data);
        if (terminal) {
          if (!(isJsonObject(value) && value['error'] !== undefined))
            afterTerminal.push(`event ${n} after the ${terminals[0]!.kind} terminal`);
          else terminals.push({ kind: 'error', event: n });
          return;
        }
        if (value === undefined) {
          shape.push(`event ${n}: data is not JSON: ${excerpt(ev.data)}`);
          return;
        }
        if (isJsonObject(value) && (value['error'] !== undefined || ev.type === 'error')) {
          terminals.push({ kind: 'error', event: n });
          if (firstContentAt === null) firstContentAt = readAt;
          const p = shapeProblem(errorBodySchema, value);
          if (p) shape.push(`event ${n}: error event: ${p}`);
          return;
        }
        if (promptFilterChunkSchema.safeParse(value).success) return;
        const p = shapeProblem(chatCompletionChunkSchema, value);
        if (p) {
          shape.push(`event ${n}: chat.completion.chunk: ${p}`);
          return;
        }
        onChunk(n, value as JsonObject);
      },
      onBoundary(offset) {
        lastBoundary = offset;
      },
    },
    { maxLineBytes: MAX_LINE_BYTES },
  );
  let length = 0;
  try {
    for (const read of input.reads) {
      readAt = read.at;
      length += read.bytes.length;
      parser.feed(read.bytes);
    }
    parser.end();
  } catch (err) {
    framing.push(`the stream cannot be read as SSE: ${(err as Error).message}`);
  }
  if (framing.length === 0 && lastBoundary < length) {
    const tail = Buffer.concat(input.reads.map((r) => r.bytes)).subarray(lastBoundary);
    if (tail.toString('utf8').trim() !== '')
      framing.push(
        `the stream ended inside an event (${length - lastBoundary} bytes after the last blank line): ${excerpt(tail.toString('utf8'))}`,
      );
  }

  const firstThree = (values: Set<string>) =>
    [...values]
      .slice(0, 3)
      .map((v) => JSON.stringify(v))
      .join(', ');
  if (ids.size > 1) idModel.push(`${ids.size} different ids in one stream: ${firstThree(ids)}`);
  if (models.size > 1) idModel.push(`${models.size} different models in one stream: ${firstThree(models)}`);
  const choiceList = [...choicesSeen].sort((a, b) => a - b);
  if (choiceList.some((c, i) => c !== i)) indexes.push(`choice indexes ${choiceList.join(', ')} do not run 0, 1, …`);
  for (const ci of choiceList) {
    const tcs = [...calls.keys()].filter((k) => k.startsWith(`${ci}.`)).map((k) => Number(k.split('.')[1]));
    tcs.sort((a, b) => a - b);
    if (tcs.some((t, i) => t !== i)) indexes.push(`choice ${ci}: tool-call indexes ${tcs.join(', ')} do not run 0, 1, …`);
  }

  const endedWith = terminals[0]?.kind;
  const single: string[] = [];
  if (terminals.length === 0) single.push('no terminal: the stream ended without [DONE] or an error event');
  else if (terminals[0]!.kind === 'error' && terminals.some((t) => t.kind === '[DONE]')) {
    const done = terminals.find((t) => t.kind === '[DONE]')!;
    single.push(
      `[DONE] after an error: event ${done.event} is [DONE] after the error event ${terminals[0]!.event} (an error ends the stream; nothing may follow it)`,
    );
  } else if (terminals.length > 1)
    single.push(
      `split terminal: ${terminals.length} terminals (${terminals.map((t) => `${t.kind} at event ${t.event}`).join(', ')}); a stream has exactly one`,
    );

  const args: string[] = [];
  for (const [key, call] of calls) {
    const [ci, ti] = key.split('.');
    if (call.name === null) once.push(`tool call ${ti} of choice ${ci}: no function name was sent`);
    // An error may cut a call short; a stream that ended normally must carry whole arguments.
    if (endedWith === '[DONE]' && parseJson(call.args) === undefined)
      args.push(`tool call ${ti} of choice ${ci}: arguments do not join into JSON: ${excerpt(call.args)}`);
  }

  const usageProblems: string[] = [];
  if (usage.length > 0 && !input.request.includeUsage)
    usageProblems.push(`usage sent (event ${usage[0]}) although the request did not ask for it (stream_options.include_usage)`);
  else if (usage.length > 1) usageProblems.push(`usage sent ${usage.length} times (events ${usage.slice(0, 5).join(', ')}…); at most once`);
  if (usage.length === 0 && input.request.includeUsage && input.upstreamUsage === true && endedWith === '[DONE]')
    usageProblems.push(
      'usage dropped: the request set stream_options.include_usage and the upstream sent usage, but the stream ended with [DONE] without a usage chunk',
    );

  if (endedWith === '[DONE]') {
    for (const ci of choiceList) if (!finished.has(ci)) finish.push(`choice ${ci} ended (with [DONE]) without a finish_reason`);
  }

  let buffering: string[] = [];
  let bufferingNote: string | undefined;
  if (input.upstreamLastWriteAt === null) bufferingNote = 'not judged: the upstream did not hold back its last write in this run';
  else if (firstContentAt === null) bufferingNote = 'not judged: no content event arrived';
  else if (firstContentAt >= input.upstreamLastWriteAt)
    buffering = [
      `buffering: the first content event reached the client ${ms(firstContentAt - input.upstreamLastWriteAt)} ms after the upstream's last write (the target held the stream back until the upstream ended)`,
    ];

  return [
    check('protocol.content-type', contentType),
    check('protocol.sse-framing', framing),
    check('protocol.chunk-shape', shape),
    check('protocol.one-id-model', idModel),
    check('protocol.indexes', indexes),
    check('protocol.tool-calls-once', once),
    check('protocol.tool-arguments', args),
    check('protocol.single-terminal', single),
    check(
      'protocol.nothing-after-terminal',
      afterTerminal.length ? [`${afterTerminal.length} event(s) after the terminal: ${afterTerminal[0]}`] : [],
    ),
    check('protocol.usage', usageProblems),
    check('protocol.finish-reason', finish),
    check('protocol.no-buffering', buffering, bufferingNote),
  ];
}

/** True when the bytes hold an event a client would show (content, reasoning, refusal, a tool call or an error). */
export function hasContentEvent(bytes: Buffer): boolean {
  let found = false;
  const parser = createSseParser(
    {
      onEvent(ev) {
        const value = parseJson(ev.data);
        if (!isJsonObject(value)) return;
        if (value['error'] !== undefined) found = true;
        for (const choice of Array.isArray(value['choices']) ? value['choices'] : []) {
          const d = isJsonObject(choice) && isJsonObject(choice['delta']) ? choice['delta'] : {};
          if (['content', 'refusal', 'reasoning_content', 'reasoning'].some((k) => typeof d[k] === 'string' && d[k] !== '')) found = true;
          if (Array.isArray(d['tool_calls']) && d['tool_calls'].length > 0) found = true;
        }
      },
    },
    { maxLineBytes: MAX_LINE_BYTES },
  );
  try {
    parser.feed(bytes);
    parser.end();
  } catch {
    return false;
  }
  return found;
}

function ms(ns: bigint): string {
  return (Number(ns) / 1e6).toFixed(1);
}

function excerpt(text: string): string {
  const s = JSON.stringify(text.slice(0, 120));
  return text.length > 120 ? `${s}…` : s;
}
