// Straico has no tools parameter, so tool calling is done in the text: the request carries the
// function definitions and answer format as XML in a system message, earlier calls and results
// are written in the same XML, and the answer's <tool_call> elements are parsed back out.
// Writing and reading live together here so the two sides cannot drift apart.
//
//   <tool_call><name>get_weather</name><arguments>{"city":"Oslo"}</arguments></tool_call>
//   <tool_result><name>get_weather</name><content>{"temp_c":4}</content></tool_result>
import { preview } from '../payload.ts';

export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: unknown;
}

export type ToolChoice = { kind: 'auto' } | { kind: 'required' } | { kind: 'function'; name: string };

export interface ParsedToolCall {
  name: string;
  /** The arguments object as compact JSON. */
  arguments: string;
}

export type ParsedAnswer = { ok: true; text: string; calls: ParsedToolCall[] } | { ok: false; message: string };

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

export function renderToolCall(name: string, argumentsJson: string): string {
  return `${OPEN}<name>${name}</name><arguments>${argumentsJson}</arguments>${CLOSE}`;
}

export function renderToolResult(name: string, content: string): string {
  return `<tool_result><name>${name}</name><content>${content}</content></tool_result>`;
}

/** The system message that teaches the model the functions and the answer format. */
export function toolPreamble(tools: readonly ToolDefinition[], choice: ToolChoice, parallel: boolean): string {
  const functions = tools
    .map((t) => {
      const description = t.description !== undefined ? `<description>${t.description}</description>` : '';
      return `<function><name>${t.name}</name>${description}<parameters>${JSON.stringify(t.parameters)}</parameters></function>`;
    })
    .join('\n');
  const rule =
    choice.kind === 'required'
      ? 'You must call at least one function.'
      : choice.kind === 'function'
        ? `You must call the function ${choice.name}, and no other.`
        : 'If no function is needed, answer normally, without any <tool_call>.';
  return [
    'You can call the following functions. Each has a name, a description and a JSON Schema of its arguments.',
    '',
    '<functions>',
    functions,
    '</functions>',
    '',
    'To call a function, answer with one <tool_call> element per call, exactly in this form:',
    renderToolCall('FUNCTION_NAME', '{"argument":"value"}'),
    `The arguments must be one JSON object that follows the function's schema. ${parallel ? 'You may call several functions in one answer.' : 'Call at most one function per answer.'} Write nothing after the last </tool_call>. Results come back in <tool_result> elements.`,
    rule,
  ].join('\n');
}

/**
 * Splits an answer into its text and its tool calls. An answer with a broken call (an element
 * never closed, a missing name, arguments that are not a JSON object) is an error, never passed
 * on as if it were text: the client asked for tools and would act on a wrong answer.
 */
export function parseAnswer(answer: string): ParsedAnswer {
  const calls: ParsedToolCall[] = [];
  let text = '';
  let pos = 0;
  for (;;) {
    const start = answer.indexOf(OPEN, pos);
    const close = answer.indexOf(CLOSE, pos);
    if (close !== -1 && (start === -1 || close < start)) return fail(`${CLOSE} at character ${close} has no opening ${OPEN}`);
    if (start === -1) break;
    const bodyStart = start + OPEN.length;
    const json = argumentsJson(answer, bodyStart);
    const end = answer.indexOf(CLOSE, json?.end ?? bodyStart);
    if (end === -1) return fail(`${OPEN} at character ${start} is never closed`);
    // Another call opening inside this one (outside its JSON arguments) means this one never closed.
    const before = answer.slice(bodyStart, json?.start ?? end);
    const after = json ? answer.slice(json.end, end) : '';
    if (before.includes(OPEN) || after.includes(OPEN)) return fail(`${OPEN} at character ${start} is never closed`);
    const call = parseCall(answer.slice(bodyStart, end), calls.length);
    if (typeof call === 'string') return fail(call);
    calls.push(call);
    text += answer.slice(pos, start);
    pos = end + CLOSE.length;
  }
  if (calls.length === 0) return { ok: true, text: answer, calls };
  text += answer.slice(pos);
  return { ok: true, text: tidy(text), calls };
}

/**
 * The span of a call's JSON arguments, so a JSON string holding "</tool_call>" or "<tool_call>"
 * does not end the call early (found by the fuzzer: fixtures/straico/fuzz-tag-in-arguments.yaml).
 * Null when the call has no readable JSON arguments: then the plain tag search applies.
 */
function argumentsJson(answer: string, from: number): { start: number; end: number } | null {
  const open = answer.indexOf('<arguments>', from);
  const close = answer.indexOf(CLOSE, from);
  if (open === -1 || (close !== -1 && open > close)) return null; // not this call's arguments
  let i = open + '<arguments>'.length;
  while (i < answer.length && /\s/.test(answer[i]!)) i++;
  const fence = /^```[A-Za-z]*\s*/.exec(answer.slice(i, i + 16));
  if (fence) i += fence[0].length;
  const end = jsonValueEnd(answer, i);
  return end === -1 ? null : { start: i, end };
}

/** The index just past the JSON object or array starting at `i`, or -1. */
function jsonValueEnd(s: string, i: number): number {
  if (s[i] !== '{' && s[i] !== '[') return -1;
  let depth = 0;
  let inString = false;
  for (let k = i; k < s.length; k++) {
    const c = s[k];
    if (inString) {
      if (c === '\\') k++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return -1;
}

function parseCall(inner: string, n: number): ParsedToolCall | string {
  const name = element(inner, 'name');
  if (name === null) return `tool call ${n} has no <name>`;
  if (typeof name !== 'string') return `tool call ${n}: ${name.error}`;
  const trimmed = name.trim();
  if (trimmed === '' || /[\s<>]/.test(trimmed)) return `tool call ${n} has an invalid name ${JSON.stringify(name)}`;
  const rawArgs = element(inner, 'arguments');
  if (rawArgs !== null && typeof rawArgs !== 'string') return `tool call ${n} (${trimmed}): ${rawArgs.error}`;
  const source = unfence((rawArgs ?? '').trim()) || '{}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return `tool call ${n} (${trimmed}) has arguments that are not JSON: ${preview(source)}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return `tool call ${n} (${trimmed}) has arguments that are not a JSON object: ${preview(source)}`;
  }
  return { name: trimmed, arguments: JSON.stringify(parsed) };
}

/** The text of <tag>…</tag> inside a call; null when absent, an error when opened but not closed. */
function element(inner: string, tag: string): string | null | { error: string } {
  const open = `<${tag}>`;
  const start = inner.indexOf(open);
  if (start === -1) return null;
  const end = inner.lastIndexOf(`</${tag}>`);
  if (end < start) return { error: `<${tag}> is never closed` };
  return inner.slice(start + open.length, end);
}

/** Models often fence JSON in ```json … ```; the fence is not part of the arguments. */
function unfence(s: string): string {
  const m = /^```[A-Za-z]*\s*([\s\S]*?)\s*```$/.exec(s);
  return m ? m[1]! : s;
}

/** Text left around the calls: without wrapper tags or fences that held only the calls. */
function tidy(text: string): string {
  return text
    .replace(/<\/?tool_calls>/g, '')
    .replace(/```[A-Za-z]*\s*```/g, '')
    .trim();
}

function fail(message: string): ParsedAnswer {
  return { ok: false, message };
}
