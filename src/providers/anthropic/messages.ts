// OpenAI chat request → Anthropic Messages request body. Shared by every upstream that takes the
// Messages body (api.anthropic.com, Anthropic models on Vertex AI).
//
// What the Messages API requires and OpenAI does not:
// - system and developer messages go to the top-level `system`, wherever they stood;
// - roles alternate: consecutive messages of one role (an OpenAI `tool` message is a user turn)
//   are merged into one message, and tool_result blocks lead their user turn;
// - tool calls are `tool_use` blocks whose `input` is an object, not a JSON string;
// - `max_tokens` is mandatory.
// Sampling fields Anthropic lacks (presence/frequency penalty, seed, logit_bias, store, …) are
// dropped; fields whose loss would change what the client gets back (n > 1, logprobs, JSON
// response formats, audio, legacy functions) are refused with an Error.
import type { ChatRequest } from '../types.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../base/json.ts';

/** Used when the client gives no max_tokens / max_completion_tokens (the API requires one). */
export const DEFAULT_MAX_TOKENS = 4096;

/** reasoning_effort → thinking budget (1024 is the API's minimum). */
const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 1024, medium: 2048, high: 4096 };

interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: JsonObject[];
}

/** The Messages body for a chat request, `model` included (Vertex removes it). */
export function buildMessagesBody(request: ChatRequest): JsonObject {
  refuseUnsupported(request);
  const { system, messages } = translateMessages(request['messages']);
  const thinking = thinkingFor(request);
  const body: JsonObject = { model: request.model, max_tokens: maxTokensFor(request, thinking) };
  if (system.length === 1 && system[0]!['type'] === 'text') body['system'] = system[0]!['text'];
  else if (system.length > 1) body['system'] = system;
  body['messages'] = messages;

  const tools = request['tools'];
  if (Array.isArray(tools) && tools.length > 0) body['tools'] = tools.map(translateTool);
  const toolChoice = toolChoiceFor(request, Array.isArray(tools) && tools.length > 0);
  if (toolChoice !== undefined) body['tool_choice'] = toolChoice;

  copyNumber(request, body, 'temperature'); // the API takes 0..1; out-of-range values are the upstream's to reject
  copyNumber(request, body, 'top_p');
  copyNumber(request, body, 'top_k'); // not OpenAI, but clients of Anthropic routes send it
  const stop = request['stop'];
  if (typeof stop === 'string') body['stop_sequences'] = [stop];
  else if (Array.isArray(stop) && stop.length > 0) body['stop_sequences'] = stop;
  if (thinking !== undefined) body['thinking'] = thinking;
  if (typeof request['user'] === 'string') body['metadata'] = { user_id: request['user'] };
  if (request.stream === true) body['stream'] = true;
  return body;
}

function refuseUnsupported(request: ChatRequest): void {
  const n = request['n'];
  if (n !== undefined && n !== null && n !== 1) throw new Error('Anthropic returns one choice per request: "n" must be 1');
  if (request['logprobs'] === true) throw new Error('Anthropic does not return logprobs');
  const format = request['response_format'];
  if (isJsonObject(format) && format['type'] !== 'text')
    throw new Error(`response_format ${JSON.stringify(format['type'])} is not supported by the Anthropic translation`);
  if (request['audio'] !== undefined && request['audio'] !== null) throw new Error('Anthropic does not produce audio');
  if (request['functions'] !== undefined || request['function_call'] !== undefined) {
    throw new Error('legacy "functions"/"function_call" are not supported by the Anthropic translation: use "tools"');
  }
}

function translateMessages(input: unknown): { system: JsonObject[]; messages: JsonObject[] } {
  if (!Array.isArray(input) || input.length === 0) throw new Error('"messages" must be a non-empty array');
  const system: JsonObject[] = [];
  const messages: AnthropicMessage[] = [];
  const append = (role: AnthropicMessage['role'], blocks: JsonObject[]) => {
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  input.forEach((message: unknown, i) => {
    const where = `messages[${i}]`;
    if (!isJsonObject(message)) throw new Error(`${where} must be an object`);
    const role = message['role'];
    switch (role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message['content'], where).filter((b) => b['text'] !== ''));
        break;
      case 'user':
        append('user', userBlocks(message['content'], where));
        break;
      case 'assistant':
        append('assistant', assistantBlocks(message, where));
        break;
      case 'tool':
        append('user', [toolResultBlock(message, where)]);
        break;
      default:
        throw new Error(`${where}: role ${JSON.stringify(role)} is not supported by the Anthropic translation`);
    }
  });
  return { system, messages: messages.map(finishMessage) };
}

/** tool_result blocks first (the API rejects them after text); one text block becomes a string. */
function finishMessage(m: AnthropicMessage): JsonObject {
  let content = m.content;
  if (m.role === 'user') {
    content = [...content.filter((b) => b['type'] === 'tool_result'), ...content.filter((b) => b['type'] !== 'tool_result')];
  }
  if (content.length === 1 && content[0]!['type'] === 'text') return { role: m.role, content: content[0]!['text'] };
  return { role: m.role, content };
}

function textBlocks(content: unknown, where: string): JsonObject[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw new Error(`${where}.content must be a string or an array of text parts`);
  return content.map((part: unknown, k) => {
    if (isJsonObject(part) && part['type'] === 'text' && typeof part['text'] === 'string') return { type: 'text', text: part['text'] };
    throw new Error(`${where}.content[${k}]: only text parts are supported here`);
  });
}

function userBlocks(content: unknown, where: string): JsonObject[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw new Error(`${where}.content must be a string or an array of content parts`);
  return content.map((part: unknown, k) => {
    const at = `${where}.content[${k}]`;
    if (!isJsonObject(part)) throw new Error(`${at} must be an object`);
    if (part['type'] === 'text' && typeof part['text'] === 'string') return { type: 'text', text: part['text'] };
    if (part['type'] === 'image_url') return imageBlock(part['image_url'], at);
    throw new Error(`${at}: content part type ${JSON.stringify(part['type'])} is not supported by the Anthropic translation`);
  });
}

function imageBlock(image: unknown, at: string): JsonObject {
  const url = isJsonObject(image) ? image['url'] : undefined;
  if (typeof url !== 'string') throw new Error(`${at}: image_url.url must be a string`);
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw new Error(`${at}: image_url.url must be a data: URL (base64) or an http(s) URL`);
}

function assistantBlocks(message: JsonObject, where: string): JsonObject[] {
  const content = message['content'];
  const blocks: JsonObject[] = [];
  if (content !== null && content !== undefined) {
    const parts = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
    if (!Array.isArray(parts)) throw new Error(`${where}.content must be a string, an array of parts or null`);
    parts.forEach((part: unknown, k) => {
      // A refusal part is what the assistant said; Anthropic has only text for it.
      const text =
        isJsonObject(part) && (part['type'] === 'text' ? part['text'] : part['type'] === 'refusal' ? part['refusal'] : undefined);
      if (typeof text !== 'string') throw new Error(`${where}.content[${k}]: only text and refusal parts are supported here`);
      if (text !== '') blocks.push({ type: 'text', text });
    });
  }
  const calls = message['tool_calls'];
  if (Array.isArray(calls))
    calls.forEach((call: unknown, k) => {
      blocks.push(toolUseBlock(call, `${where}.tool_calls[${k}]`));
    });
  if (blocks.length === 0) throw new Error(`${where}: an assistant message needs non-empty content or tool_calls`);
  return blocks;
}

function toolUseBlock(call: unknown, at: string): JsonObject {
  if (!isJsonObject(call) || !isJsonObject(call['function']))
    throw new Error(`${at} must be {id, type: "function", function: {name, arguments}}`);
  const fn = call['function'];
  if (typeof call['id'] !== 'string' || typeof fn['name'] !== 'string') throw new Error(`${at} needs a string id and function.name`);
  const args = fn['arguments'];
  let input: unknown = {};
  if (typeof args === 'string' && args.trim() !== '') {
    input = parseJson(args);
    if (input === undefined) throw new Error(`${at}.function.arguments is not valid JSON`);
  }
  if (!isJsonObject(input)) throw new Error(`${at}.function.arguments must be a JSON object (Anthropic tool input is an object)`);
  return { type: 'tool_use', id: call['id'], name: fn['name'], input };
}

function toolResultBlock(message: JsonObject, where: string): JsonObject {
  const id = message['tool_call_id'];
  if (typeof id !== 'string') throw new Error(`${where}: a tool message needs a string tool_call_id`);
  const content = message['content'];
  return { type: 'tool_result', tool_use_id: id, content: typeof content === 'string' ? content : textBlocks(content, where) };
}

function translateTool(tool: unknown, i: number): JsonObject {
  const at = `tools[${i}]`;
  if (!isJsonObject(tool) || tool['type'] !== 'function' || !isJsonObject(tool['function'])) {
    throw new Error(`${at}: only {type: "function"} tools are supported by the Anthropic translation`);
  }
  const fn = tool['function'];
  if (typeof fn['name'] !== 'string') throw new Error(`${at}.function.name must be a string`);
  const out: JsonObject = { name: fn['name'] };
  if (typeof fn['description'] === 'string') out['description'] = fn['description'];
  // The API requires an object schema; OpenAI allows omitting it for tools without arguments.
  out['input_schema'] = isJsonObject(fn['parameters']) ? fn['parameters'] : { type: 'object', properties: {} };
  return out;
}

function toolChoiceFor(request: ChatRequest, hasTools: boolean): JsonObject | undefined {
  const choice = request['tool_choice'];
  const noParallel = request['parallel_tool_calls'] === false;
  let out: JsonObject | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') return { type: 'none' };
  else if (
    isJsonObject(choice) &&
    choice['type'] === 'function' &&
    isJsonObject(choice['function']) &&
    typeof choice['function']['name'] === 'string'
  ) {
    out = { type: 'tool', name: choice['function']['name'] };
  } else if (choice !== undefined && choice !== null) {
    throw new Error(`tool_choice ${JSON.stringify(choice)} is not supported by the Anthropic translation`);
  }
  if (noParallel && hasTools) (out ??= { type: 'auto' })['disable_parallel_tool_use'] = true;
  return out;
}

function thinkingFor(request: ChatRequest): JsonObject | undefined {
  // A native `thinking` object wins (clients of Anthropic routes send it as an extension).
  if (isJsonObject(request['thinking'])) return request['thinking'];
  const effort = request['reasoning_effort'];
  if (typeof effort !== 'string' || effort === 'none') return undefined;
  const budget = THINKING_BUDGET[effort];
  if (budget === undefined) throw new Error(`reasoning_effort ${JSON.stringify(effort)} is not supported by the Anthropic translation`);
  return { type: 'enabled', budget_tokens: budget };
}

function maxTokensFor(request: ChatRequest, thinking: JsonObject | undefined): number {
  const given = request['max_completion_tokens'] ?? request['max_tokens'];
  if (typeof given === 'number') return given;
  // The thinking budget counts against max_tokens and must be smaller than it.
  const budget = thinking?.['budget_tokens'];
  return typeof budget === 'number' && budget >= DEFAULT_MAX_TOKENS ? budget + DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS;
}

function copyNumber(from: JsonObject, to: JsonObject, key: string): void {
  if (typeof from[key] === 'number') to[key] = from[key];
}
