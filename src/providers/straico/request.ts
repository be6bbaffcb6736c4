// OpenAI chat request → Straico request. Straico never streams and has no tools parameter.
//
// Route option `endpoint`:
// - `chat` (default): POST /v0/chat/completions, {model, messages: [{role, content: [{type:'text',
//   text}]}], temperature, max_tokens}; the answer is an OpenAI chat.completion.
// - `prompt`: POST /v1/prompt/completion, {models: [model], message: <one prompt string>,
//   temperature, max_tokens}; the answer (HTTP 201) nests the chat.completion under
//   data.completions[model].completion. The conversation is flattened into the prompt as
//   <system>/<user>/<assistant> elements (a lone user message is sent as it is).
//
// Tools: a system message first lists the functions and the <tool_call> answer format
// (tool-xml.ts); earlier assistant tool_calls become <tool_call> text in the assistant turn and
// role `tool` results become <tool_result> text in a user turn, so the model sees its own past
// calls in the format it is asked to use. Content arrives as a string or as text parts; each
// text part stays a part (the chat endpoint takes parts), and the prompt endpoint joins them.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { renderToolCall, renderToolResult, toolPreamble, type ToolChoice, type ToolDefinition } from './tool-xml.ts';

type Json = Record<string, unknown>;
type Role = 'system' | 'user' | 'assistant';

interface Turn {
  role: Role;
  parts: string[];
  /** A user turn made of tool results: the next result joins it. */
  toolResults?: boolean;
}

/** Chat fields with a Straico equivalent, or harmless to drop (user, metadata, store). */
const HANDLED = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'max_tokens',
  'max_completion_tokens',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'n',
  'user',
  'metadata',
  'store',
]);

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  for (const key of Object.keys(request)) {
    if (!HANDLED.has(key)) throw new Error(`straico: request field "${key}" is not supported by Straico`);
  }
  if (request['n'] !== undefined && request['n'] !== 1) throw new Error('straico: n other than 1 is not supported');
  const endpoint = route.options['endpoint'] ?? 'chat';
  if (endpoint !== 'chat' && endpoint !== 'prompt')
    throw new Error(`straico: route option endpoint must be "chat" or "prompt", got ${JSON.stringify(endpoint)}`);

  const turns = conversation(request);
  const maxTokens = request['max_completion_tokens'] ?? request['max_tokens'];
  let path: string;
  let body: Json;
  if (endpoint === 'chat') {
    path = '/v0/chat/completions';
    body = {
      model: request.model,
      messages: turns.map((t) => ({ role: t.role, content: t.parts.map((text) => ({ type: 'text', text })) })),
    };
  } else {
    path = '/v1/prompt/completion';
    body = { models: [request.model], message: flatten(turns) };
  }
  if (typeof request['temperature'] === 'number') body['temperature'] = request['temperature'];
  if (typeof maxTokens === 'number') body['max_tokens'] = maxTokens;

  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (route.apiKey !== undefined) headers['authorization'] = `Bearer ${route.apiKey}`;
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return { method: 'POST', path, query: {}, headers, body: JSON.stringify(body) };
}

function conversation(request: ChatRequest): Turn[] {
  const messages = request['messages'];
  if (!Array.isArray(messages)) throw new Error('straico: "messages" must be an array');
  const turns: Turn[] = [];
  const tools = toolDefinitions(request['tools']);
  const choice = toolChoice(request['tool_choice']);
  if (tools.length > 0 && choice !== null) {
    turns.push({ role: 'system', parts: [toolPreamble(tools, choice, request['parallel_tool_calls'] !== false)] });
  }
  const callNames = new Map<string, string>(); // tool_call_id → function name, for results
  messages.forEach((m: unknown, i) => {
    if (m === null || typeof m !== 'object') throw new Error(`straico: messages[${i}] is not an object`);
    const msg = m as Json;
    switch (msg['role']) {
      case 'system':
      case 'developer':
        turns.push({ role: 'system', parts: textParts(msg['content'], i) });
        return;
      case 'user':
        turns.push({ role: 'user', parts: textParts(msg['content'], i) });
        return;
      case 'assistant': {
        const parts = textParts(msg['content'], i);
        const calls = assistantCalls(msg['tool_calls'], i, callNames);
        if (calls !== '') parts.push(calls);
        if (parts.length > 0) turns.push({ role: 'assistant', parts });
        return;
      }
      case 'tool': {
        const id = msg['tool_call_id'];
        const name = typeof id === 'string' ? callNames.get(id) : undefined;
        if (name === undefined)
          throw new Error(`straico: messages[${i}] answers tool_call_id ${JSON.stringify(id)}, which no earlier assistant message called`);
        const result = renderToolResult(name, textParts(msg['content'], i).join('\n'));
        const last = turns.at(-1);
        if (last?.toolResults) last.parts.push(result);
        else turns.push({ role: 'user', parts: [result], toolResults: true });
        return;
      }
      default:
        throw new Error(`straico: messages[${i}] has unsupported role ${JSON.stringify(msg['role'])}`);
    }
  });
  return turns;
}

function assistantCalls(calls: unknown, i: number, names: Map<string, string>): string {
  if (calls === undefined || calls === null) return '';
  if (!Array.isArray(calls)) throw new Error(`straico: messages[${i}].tool_calls must be an array`);
  return calls
    .map((c: unknown, k) => {
      const call = (c ?? {}) as Json;
      const fn = (call['function'] ?? {}) as Json;
      if (typeof call['id'] !== 'string' || typeof fn['name'] !== 'string')
        throw new Error(`straico: messages[${i}].tool_calls[${k}] needs an id and a function name`);
      names.set(call['id'], fn['name']);
      return renderToolCall(fn['name'], argumentsText(fn['arguments']));
    })
    .join('\n');
}

/** Arguments as JSON text; a call with none (empty string or absent) has the empty object. */
function argumentsText(args: unknown): string {
  if (typeof args === 'string') return args === '' ? '{}' : args;
  return JSON.stringify(args ?? {});
}

/** Message content as text parts: a string is one part; null or '' is none. */
function textParts(content: unknown, i: number): string[] {
  if (content === null || content === undefined || content === '') return [];
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) throw new Error(`straico: messages[${i}].content must be a string or an array of content parts`);
  return content.map((p: unknown, k) => {
    const part = (p ?? {}) as Json;
    if (part['type'] !== 'text' || typeof part['text'] !== 'string') {
      throw new Error(`straico: messages[${i}].content[${k}] has type ${JSON.stringify(part['type'])}; Straico takes text only`);
    }
    return part['text'];
  });
}

function toolDefinitions(tools: unknown): ToolDefinition[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new Error('straico: "tools" must be an array');
  return tools.map((t: unknown, i) => {
    const tool = (t ?? {}) as Json;
    const fn = (tool['function'] ?? {}) as Json;
    if (tool['type'] !== 'function' || typeof fn['name'] !== 'string')
      throw new Error(`straico: tools[${i}] must be a function tool with a name`);
    const def: ToolDefinition = { name: fn['name'], parameters: fn['parameters'] ?? { type: 'object', properties: {} } };
    if (typeof fn['description'] === 'string') def.description = fn['description'];
    return def;
  });
}

/** null: tool_choice "none", so the functions are not offered. */
function toolChoice(choice: unknown): ToolChoice | null {
  if (choice === undefined || choice === 'auto') return { kind: 'auto' };
  if (choice === 'none') return null;
  if (choice === 'required') return { kind: 'required' };
  const name = ((choice as Json | null)?.['function'] as Json | undefined)?.['name'];
  if (typeof name === 'string') return { kind: 'function', name };
  throw new Error(`straico: unsupported tool_choice ${JSON.stringify(choice)}`);
}

/** The prompt endpoint takes one string: a lone user message as it is, else a tagged transcript. */
function flatten(turns: readonly Turn[]): string {
  const only = turns[0];
  if (turns.length === 1 && only?.role === 'user') return only.parts.join('\n');
  return turns.map((t) => `<${t.role}>\n${t.parts.join('\n')}\n</${t.role}>`).join('\n');
}
