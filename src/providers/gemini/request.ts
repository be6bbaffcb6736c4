// Gemini API (generativelanguage.googleapis.com): the OpenAI chat request becomes a
// GenerateContentRequest, streamed with alt=sse. The body translation is shared with Vertex AI
// (src/providers/vertex-gemini/), which serves the same request on a project path.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';

type Json = Record<string, unknown>;
type Part = Json;
interface Content {
  role: 'user' | 'model';
  parts: Part[];
}

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (route.apiKey !== undefined) headers['x-goog-api-key'] = route.apiKey;
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return {
    method: 'POST',
    path: `/v1beta/models/${modelSegment(request.model)}:streamGenerateContent`,
    query: { alt: 'sse' },
    headers,
    body: JSON.stringify(buildGeminiBody(request)),
  };
}

/** The model as one URL path segment; a `models/` prefix (Google's resource name) is dropped. */
export function modelSegment(model: string): string {
  return encodeURIComponent(model.replace(/^models\//, ''));
}

/** The GenerateContentRequest body, the same for the Gemini API and Vertex AI. */
export function buildGeminiBody(request: ChatRequest): Json {
  const messages = request['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw new Error('gemini: "messages" must be a non-empty array');
  if (request['logprobs'] === true) throw new Error('gemini: "logprobs" is not supported by this translation');

  const system: Part[] = [];
  const contents: Content[] = [];
  // Tool results name the call they answer only by id; Gemini wants the function's name.
  const callNames = new Map<string, string>();

  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Json | null;
    if (m === null || typeof m !== 'object') throw new Error(`gemini: messages[${i}] is not an object`);
    const role = m['role'];
    switch (role) {
      case 'system':
      case 'developer':
        system.push(...textParts(m['content'], i));
        break;
      case 'user':
        contents.push({ role: 'user', parts: userParts(m['content'], i) });
        break;
      case 'assistant':
        contents.push({ role: 'model', parts: assistantParts(m, i, callNames) });
        break;
      case 'tool': {
        const part = functionResponsePart(m, i, callNames);
        // Answers to parallel calls go back together, in one user turn, as Gemini expects.
        const last = contents.at(-1);
        if (last !== undefined && last.role === 'user' && last.parts.length > 0 && last.parts.every((p) => 'functionResponse' in p))
          last.parts.push(part);
        else contents.push({ role: 'user', parts: [part] });
        break;
      }
      default:
        throw new Error(`gemini: messages[${i}] has unsupported role ${JSON.stringify(role)}`);
    }
  }

  const body: Json = { contents };
  if (system.length > 0) body['systemInstruction'] = { parts: system };
  const tools = functionDeclarations(request['tools']);
  if (tools !== undefined) body['tools'] = [{ functionDeclarations: tools }];
  const toolConfig = functionCallingConfig(request['tool_choice']);
  if (toolConfig !== undefined) body['toolConfig'] = { functionCallingConfig: toolConfig };
  const generationConfig = buildGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body['generationConfig'] = generationConfig;
  return body;
}

function textParts(content: unknown, i: number): Part[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) throw new Error(`gemini: messages[${i}].content must be a string or an array of text parts`);
  return content.map((p: Json, k) => {
    if (p?.['type'] === 'text' && typeof p['text'] === 'string') return { text: p['text'] };
    throw new Error(`gemini: messages[${i}].content[${k}] of type ${JSON.stringify(p?.['type'])} is not supported here (text only)`);
  });
}

function userParts(content: unknown, i: number): Part[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) throw new Error(`gemini: messages[${i}].content must be a string or an array of parts`);
  return content.map((p: Json, k) => {
    const type = p?.['type'];
    if (type === 'text' && typeof p['text'] === 'string') return { text: p['text'] };
    if (type === 'image_url') return inlineImage(p['image_url'], i, k);
    throw new Error(`gemini: messages[${i}].content[${k}] of type ${JSON.stringify(type)} is not supported`);
  });
}

/** Only data: URLs can be sent inline; Gemini cannot fetch an arbitrary http(s) URL itself. */
function inlineImage(image: unknown, i: number, k: number): Part {
  const url = (image as Json | undefined)?.['url'];
  const match = typeof url === 'string' ? /^data:([^;,]+);base64,(.*)$/s.exec(url) : null;
  if (!match) throw new Error(`gemini: messages[${i}].content[${k}].image_url must be a base64 data: URL`);
  return { inlineData: { mimeType: match[1], data: match[2] } };
}

function assistantParts(m: Json, i: number, callNames: Map<string, string>): Part[] {
  const parts: Part[] = [];
  const content = m['content'];
  if (typeof content === 'string') {
    if (content !== '') parts.push({ text: content });
  } else if (content !== null && content !== undefined) {
    parts.push(...textParts(content, i));
  }
  const toolCalls = m['tool_calls'];
  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls)) throw new Error(`gemini: messages[${i}].tool_calls must be an array`);
    toolCalls.forEach((tc: Json, k) => {
      const fn = tc?.['function'] as Json | undefined;
      const name = fn?.['name'];
      if (tc?.['type'] !== undefined && tc['type'] !== 'function')
        throw new Error(`gemini: messages[${i}].tool_calls[${k}] is not a function call`);
      if (typeof name !== 'string' || name === '') throw new Error(`gemini: messages[${i}].tool_calls[${k}] has no function name`);
      if (typeof tc['id'] === 'string') callNames.set(tc['id'], name);
      parts.push({ functionCall: { name, args: parseArguments(fn?.['arguments'], i, k) } });
    });
  }
  if (parts.length === 0) throw new Error(`gemini: messages[${i}] (assistant) has neither content nor tool_calls`);
  return parts;
}

/** OpenAI sends arguments as a JSON string; Gemini wants the object (a protobuf Struct). */
function parseArguments(raw: unknown, i: number, k: number): Json {
  if (raw === undefined || raw === null || raw === '') return {};
  let args: unknown;
  try {
    args = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw new Error(`gemini: messages[${i}].tool_calls[${k}].function.arguments is not valid JSON`);
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new Error(`gemini: messages[${i}].tool_calls[${k}].function.arguments must be a JSON object`);
  }
  return args as Json;
}

function functionResponsePart(m: Json, i: number, callNames: Map<string, string>): Part {
  const id = m['tool_call_id'];
  const name = typeof id === 'string' ? callNames.get(id) : undefined;
  if (name === undefined)
    throw new Error(`gemini: messages[${i}] answers tool call ${JSON.stringify(id)}, which no earlier assistant message made`);
  const text =
    typeof m['content'] === 'string'
      ? m['content']
      : textParts(m['content'], i)
          .map((p) => p['text'])
          .join('');
  return { functionResponse: { name, response: responseObject(text) } };
}

/** `response` must be a JSON object: anything else (a number, an array, plain text) is wrapped. */
function responseObject(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { result: text };
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : { result: value };
}

function functionDeclarations(tools: unknown): Json[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw new Error('gemini: "tools" must be an array');
  if (tools.length === 0) return undefined;
  return tools.map((t: Json, k) => {
    const fn = t?.['function'] as Json | undefined;
    if (t?.['type'] !== 'function' || typeof fn?.['name'] !== 'string') throw new Error(`gemini: tools[${k}] is not a function tool`);
    const decl: Json = { name: fn['name'] };
    if (typeof fn['description'] === 'string') decl['description'] = fn['description'];
    // OpenAI parameters are JSON Schema; `parameters` takes only Google's OpenAPI subset (it
    // rejects additionalProperties, $schema, …), `parametersJsonSchema` takes JSON Schema as is.
    if (fn['parameters'] !== undefined) decl['parametersJsonSchema'] = fn['parameters'];
    return decl;
  });
}

function functionCallingConfig(choice: unknown): Json | undefined {
  if (choice === undefined || choice === null) return undefined;
  switch (choice) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required':
      return { mode: 'ANY' };
  }
  const name = ((choice as Json)['function'] as Json | undefined)?.['name'];
  if ((choice as Json)['type'] === 'function' && typeof name === 'string') return { mode: 'ANY', allowedFunctionNames: [name] };
  throw new Error(`gemini: unsupported tool_choice ${JSON.stringify(choice)}`);
}

function buildGenerationConfig(r: ChatRequest): Json {
  const config: Json = {};
  const maxTokens = r['max_completion_tokens'] ?? r['max_tokens'];
  if (typeof maxTokens === 'number') config['maxOutputTokens'] = maxTokens;
  if (typeof r['temperature'] === 'number') config['temperature'] = r['temperature'];
  if (typeof r['top_p'] === 'number') config['topP'] = r['top_p'];
  const stop = r['stop'];
  if (typeof stop === 'string') config['stopSequences'] = [stop];
  else if (Array.isArray(stop) && stop.length > 0) config['stopSequences'] = stop;
  if (typeof r['n'] === 'number' && r['n'] !== 1) config['candidateCount'] = r['n'];
  if (typeof r['presence_penalty'] === 'number') config['presencePenalty'] = r['presence_penalty'];
  if (typeof r['frequency_penalty'] === 'number') config['frequencyPenalty'] = r['frequency_penalty'];
  if (typeof r['seed'] === 'number') config['seed'] = r['seed'];
  const thinking = thinkingConfig(r['reasoning_effort']);
  if (thinking !== undefined) config['thinkingConfig'] = thinking;
  const format = r['response_format'] as Json | undefined;
  if (format?.['type'] === 'json_object') config['responseMimeType'] = 'application/json';
  else if (format?.['type'] === 'json_schema') {
    config['responseMimeType'] = 'application/json';
    const schema = (format['json_schema'] as Json | undefined)?.['schema'];
    if (schema !== undefined) config['responseJsonSchema'] = schema;
  }
  return config;
}

/**
 * reasoning_effort → a thinking budget, with the numbers Google's own OpenAI-compatible endpoint
 * uses (low 1K, medium 8K, high 24K; none turns thinking off). Budgets work on Gemini 2.5 and,
 * for compatibility, on Gemini 3. Thought summaries are asked for so they reach the client as
 * reasoning_content.
 */
const THINKING_BUDGET: Record<string, number> = { low: 1024, medium: 8192, high: 24576 };

function thinkingConfig(effort: unknown): Json | undefined {
  if (effort === undefined || effort === null) return undefined;
  if (effort === 'none') return { thinkingBudget: 0 };
  const budget = typeof effort === 'string' ? THINKING_BUDGET[effort] : undefined;
  if (budget === undefined) throw new Error(`gemini: unsupported reasoning_effort ${JSON.stringify(effort)} (none, low, medium or high)`);
  return { includeThoughts: true, thinkingBudget: budget };
}
