// OpenAI chat request → OpenAI Responses API request (`POST /v1/responses`, bearer key).
//
// Choices made where the two APIs differ (each keeps what a Chat Completions client meant):
// - system and developer messages become `developer` input messages where they stand, not
//   `instructions`: the chat request carries the whole conversation, so every instruction keeps
//   its place and several are allowed; `instructions` only matters with previous_response_id,
//   which a stateless translation never uses.
// - assistant tool_calls become `function_call` items and role `tool` results become
//   `function_call_output` items, paired by call_id.
// - function tools are flattened ({type, name, description, parameters, strict}); `strict` is sent
//   explicitly as the chat request had it (default false), because the Responses API applies
//   strict schemas by default where it can, which would change how arguments are produced.
// - `store: false` unless the client sets `store`: Chat Completions does not keep responses by
//   default, the Responses API keeps them for 30 days.
// - `reasoning_effort` becomes `reasoning: {effort, summary: 'auto'}`: without a summary request
//   the stream carries no reasoning text, and a chat client asking for effort wants reasoning.
// - Fields with no Responses equivalent (stop, n > 1, penalties, seed, logit_bias, logprobs)
//   are refused with a clear error rather than dropped.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';

type Json = Record<string, unknown>;

/** Chat fields this translator understands; anything else is refused. */
const HANDLED = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'response_format',
  'reasoning_effort',
  'user',
  'metadata',
  'store',
  'service_tier',
  'n',
]);

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  for (const key of Object.keys(request)) {
    if (!HANDLED.has(key)) throw new Error(`openai-responses: request field "${key}" has no Responses API equivalent`);
  }
  if (request['n'] !== undefined && request['n'] !== 1)
    throw new Error('openai-responses: n other than 1 is not supported by the Responses API');

  const body: Json = { model: request.model, input: toInput(request['messages']) };
  if (request['tools'] !== undefined) body['tools'] = toTools(request['tools']);
  if (request['tool_choice'] !== undefined) body['tool_choice'] = toToolChoice(request['tool_choice']);
  if (request['parallel_tool_calls'] !== undefined) body['parallel_tool_calls'] = request['parallel_tool_calls'];
  const maxTokens = request['max_completion_tokens'] ?? request['max_tokens'];
  if (maxTokens !== undefined && maxTokens !== null) body['max_output_tokens'] = maxTokens;
  for (const key of ['temperature', 'top_p', 'user', 'metadata', 'service_tier'] as const) {
    if (request[key] !== undefined && request[key] !== null) body[key] = request[key];
  }
  if (request['response_format'] !== undefined) body['text'] = { format: toTextFormat(request['response_format']) };
  if (request['reasoning_effort'] !== undefined) body['reasoning'] = { effort: request['reasoning_effort'], summary: 'auto' };
  body['store'] = request['store'] ?? false;
  body['stream'] = true;

  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (route.apiKey !== undefined) headers['authorization'] = `Bearer ${route.apiKey}`;
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return { method: 'POST', path: '/v1/responses', query: {}, headers, body: JSON.stringify(body) };
}

function toInput(messages: unknown): Json[] {
  if (!Array.isArray(messages)) throw new Error('openai-responses: "messages" must be an array');
  const input: Json[] = [];
  messages.forEach((m: unknown, i) => {
    if (m === null || typeof m !== 'object') throw new Error(`openai-responses: messages[${i}] is not an object`);
    const msg = m as Json;
    const role = msg['role'];
    switch (role) {
      case 'system':
      case 'developer':
        input.push({ role: 'developer', content: inputContent(msg['content'], i) });
        return;
      case 'user':
        input.push({ role: 'user', content: inputContent(msg['content'], i) });
        return;
      case 'assistant': {
        const text = plainText(msg['content'], i);
        if (text !== '') input.push({ role: 'assistant', content: text });
        const calls = msg['tool_calls'];
        if (calls !== undefined && calls !== null) {
          if (!Array.isArray(calls)) throw new Error(`openai-responses: messages[${i}].tool_calls must be an array`);
          calls.forEach((c: unknown, k) => {
            input.push(functionCall(c, i, k));
          });
        }
        return;
      }
      case 'tool': {
        const callId = msg['tool_call_id'];
        if (typeof callId !== 'string') throw new Error(`openai-responses: messages[${i}] (tool) needs a string tool_call_id`);
        input.push({ type: 'function_call_output', call_id: callId, output: plainText(msg['content'], i) });
        return;
      }
      default:
        throw new Error(`openai-responses: messages[${i}] has unsupported role ${JSON.stringify(role)}`);
    }
  });
  return input;
}

function functionCall(c: unknown, i: number, k: number): Json {
  const call = (c ?? {}) as Json;
  const fn = (call['function'] ?? {}) as Json;
  if ((call['type'] ?? 'function') !== 'function' || typeof call['id'] !== 'string' || typeof fn['name'] !== 'string') {
    throw new Error(`openai-responses: messages[${i}].tool_calls[${k}] must be a function call with an id and a name`);
  }
  const args = fn['arguments'];
  // A call without arguments (some clients send "") still needs a JSON object for the API.
  const text = typeof args === 'string' ? args : JSON.stringify(args ?? {});
  return { type: 'function_call', call_id: call['id'], name: fn['name'], arguments: text === '' ? '{}' : text };
}

/** User and developer content: a string stays a string; text parts become input_text parts. */
function inputContent(content: unknown, i: number): string | Json[] {
  if (typeof content === 'string') return content;
  return textParts(content, i).map((text) => ({ type: 'input_text', text }));
}

/** Assistant and tool content as one string (text parts joined). */
function plainText(content: unknown, i: number): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return textParts(content, i).join('');
}

function textParts(content: unknown, i: number): string[] {
  if (!Array.isArray(content)) throw new Error(`openai-responses: messages[${i}].content must be a string or an array of content parts`);
  return content.map((p: unknown, k) => {
    const part = (p ?? {}) as Json;
    if (part['type'] !== 'text' || typeof part['text'] !== 'string') {
      throw new Error(
        `openai-responses: messages[${i}].content[${k}] has type ${JSON.stringify(part['type'])}; only text parts are supported`,
      );
    }
    return part['text'];
  });
}

function toTools(tools: unknown): Json[] {
  if (!Array.isArray(tools)) throw new Error('openai-responses: "tools" must be an array');
  return tools.map((t: unknown, i) => {
    const tool = (t ?? {}) as Json;
    const fn = (tool['function'] ?? {}) as Json;
    if (tool['type'] !== 'function' || typeof fn['name'] !== 'string')
      throw new Error(`openai-responses: tools[${i}] must be a function tool with a name`);
    const out: Json = { type: 'function', name: fn['name'] };
    if (typeof fn['description'] === 'string') out['description'] = fn['description'];
    out['parameters'] = fn['parameters'] ?? { type: 'object', properties: {} };
    out['strict'] = fn['strict'] === true;
    return out;
  });
}

function toToolChoice(choice: unknown): unknown {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  const c = (choice ?? {}) as Json;
  const name = (c['function'] as Json | undefined)?.['name'];
  if (c['type'] === 'function' && typeof name === 'string') return { type: 'function', name };
  throw new Error(`openai-responses: unsupported tool_choice ${JSON.stringify(choice)}`);
}

function toTextFormat(format: unknown): Json {
  const f = (format ?? {}) as Json;
  switch (f['type']) {
    case 'text':
    case 'json_object':
      return { type: f['type'] };
    case 'json_schema': {
      const s = (f['json_schema'] ?? {}) as Json;
      if (typeof s['name'] !== 'string') throw new Error('openai-responses: response_format.json_schema needs a name');
      const out: Json = { type: 'json_schema', name: s['name'] };
      if (typeof s['description'] === 'string') out['description'] = s['description'];
      out['schema'] = s['schema'] ?? {};
      if (typeof s['strict'] === 'boolean') out['strict'] = s['strict'];
      return out;
    }
    default:
      throw new Error(`openai-responses: unsupported response_format ${JSON.stringify(format)}`);
  }
}
