// Native upstream request bodies back to OpenAI chat requests, one function per dialect: the
// inverse of each provider's request.ts. Each returns a candidate; request-map.ts keeps it only
// when the provider's own translation turns it back into the recorded body, so a mapping that
// loses anything (a field OpenAI cannot say, a cache_control, a thinking block) is never used.
// Anything a dialect function cannot read at all it refuses with an Error saying what.
import { isJsonObject, parseJson, type JsonObject } from '../base/json.ts';

export type Json = JsonObject;

/** What the recorded request looked like on the wire, for dialects that keep facts in the path. */
export interface NativeRequest {
  path: string;
  query: ReadonlyMap<string, string>;
  body: Json;
}

export interface InverseResult {
  request: Json;
  /** Route options the recorded path implies (Vertex project and location, Azure deployment, …). */
  options: Record<string, string>;
}

/** The dialect families streamproof can read a native request of; null: none (the request stays native). */
export function inverseFor(provider: string, passthrough: boolean): ((r: NativeRequest) => InverseResult) | null {
  if (passthrough) return provider === 'azure' ? azure : openAICompatible;
  switch (provider) {
    case 'anthropic':
      return (r) => ({ request: fromMessages(r.body, stringField(r.body, 'model')), options: {} });
    case 'vertex-anthropic':
      return vertexAnthropic;
    case 'bedrock-invoke':
      return bedrockInvoke;
    case 'gemini':
    case 'vertex-gemini':
      return gemini;
    case 'bedrock':
      return converse;
    case 'openai-responses':
      return (r) => ({ request: fromResponses(r.body), options: {} });
    case 'straico':
      return straico;
    default:
      return null;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function stringField(o: Json, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : fail(`the body has no string "${key}"`);
}

function withStream(request: Json): Json {
  return { ...request, stream: true, stream_options: { include_usage: true } };
}

function pathMatch(path: string, re: RegExp, what: string): RegExpExecArray {
  return re.exec(path) ?? fail(`the path ${JSON.stringify(path)} is not ${what}`);
}

function segment(s: string): string {
  return decodeURIComponent(s);
}

// --- OpenAI-compatible: the body is the request ------------------------------------------------

function openAICompatible(r: NativeRequest): InverseResult {
  return { request: { ...r.body }, options: {} };
}

function azure(r: NativeRequest): InverseResult {
  const m = pathMatch(r.path, /^\/openai\/deployments\/([^/]+)\/chat\/completions$/, 'an Azure chat completions path');
  const deployment = segment(m[1]!);
  const options: Record<string, string> = { deployment };
  const version = r.query.get('api-version');
  if (version !== undefined) options['apiVersion'] = version;
  // Azure bodies may leave the model out (the deployment names it).
  return { request: typeof r.body['model'] === 'string' ? { ...r.body } : { model: deployment, ...r.body }, options };
}

// --- Anthropic Messages (api.anthropic.com, Vertex AI, Bedrock InvokeModel) --------------------

function vertexAnthropic(r: NativeRequest): InverseResult {
  const m = pathMatch(
    r.path,
    /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(streamRawPredict|rawPredict)$/,
    'a Vertex AI Anthropic path',
  );
  const { anthropic_version: _version, ...body } = r.body;
  return { request: fromMessages(body, segment(m[3]!)), options: { project: segment(m[1]!), location: segment(m[2]!) } };
}

function bedrockInvoke(r: NativeRequest): InverseResult {
  const m = pathMatch(r.path, /^\/model\/([^/]+)\/invoke-with-response-stream$/, 'a Bedrock InvokeModelWithResponseStream path');
  const { anthropic_version: _version, ...body } = r.body;
  return { request: fromMessages({ ...body, stream: true }, segment(m[1]!)), options: {} };
}

export function fromMessages(body: Json, model: string): Json {
  const request: Json = { model };
  const messages: Json[] = [];
  const system = body['system'];
  if (typeof system === 'string') messages.push({ role: 'system', content: system });
  else if (Array.isArray(system)) {
    for (const block of system) {
      if (!isJsonObject(block) || block['type'] !== 'text' || typeof block['text'] !== 'string')
        fail('system holds a block that is not text');
      messages.push({ role: 'system', content: block['text'] });
    }
  }
  const turns = body['messages'];
  if (!Array.isArray(turns)) fail('"messages" is not an array');
  for (const turn of turns) {
    if (!isJsonObject(turn)) fail('a message is not an object');
    if (turn['role'] === 'user') messages.push(...userTurn(turn['content']));
    else if (turn['role'] === 'assistant') messages.push(assistantTurn(turn['content']));
    else fail(`role ${JSON.stringify(turn['role'])} is not user or assistant`);
  }
  request['messages'] = messages;
  if (typeof body['max_tokens'] === 'number') request['max_tokens'] = body['max_tokens'];
  const tools = body['tools'];
  if (Array.isArray(tools)) {
    request['tools'] = tools.map((t) => {
      if (!isJsonObject(t) || typeof t['name'] !== 'string') fail('a tool has no name');
      const fn: Json = { name: t['name'] };
      if (typeof t['description'] === 'string') fn['description'] = t['description'];
      fn['parameters'] = t['input_schema'];
      return { type: 'function', function: fn };
    });
  }
  const choice = body['tool_choice'];
  if (isJsonObject(choice)) {
    if (choice['disable_parallel_tool_use'] === true) request['parallel_tool_calls'] = false;
    if (choice['type'] === 'auto') request['tool_choice'] = 'auto';
    else if (choice['type'] === 'any') request['tool_choice'] = 'required';
    else if (choice['type'] === 'none') request['tool_choice'] = 'none';
    else if (choice['type'] === 'tool' && typeof choice['name'] === 'string')
      request['tool_choice'] = { type: 'function', function: { name: choice['name'] } };
  }
  for (const key of ['temperature', 'top_p', 'top_k']) if (typeof body[key] === 'number') request[key] = body[key];
  if (Array.isArray(body['stop_sequences'])) request['stop'] = body['stop_sequences'];
  if (isJsonObject(body['thinking'])) request['thinking'] = body['thinking'];
  const metadata = body['metadata'];
  if (isJsonObject(metadata) && typeof metadata['user_id'] === 'string') request['user'] = metadata['user_id'];
  return body['stream'] === true ? withStream(request) : request;
}

/** A user turn: its tool results as `tool` messages first, then the rest as one user message. */
function userTurn(content: unknown): Json[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) fail('user content is neither text nor blocks');
  const out: Json[] = [];
  const parts: Json[] = [];
  for (const block of content) {
    if (!isJsonObject(block)) fail('a content block is not an object');
    if (block['type'] === 'tool_result') {
      const c = block['content'];
      out.push({
        role: 'tool',
        tool_call_id: block['tool_use_id'],
        content: typeof c === 'string' ? c : Array.isArray(c) ? c.map(textPart) : fail('tool_result content is neither text nor blocks'),
      });
    } else if (block['type'] === 'text') parts.push(textPart(block));
    else if (block['type'] === 'image') parts.push(imagePart(block['source']));
    else fail(`content block type ${JSON.stringify(block['type'])} has no OpenAI equivalent`);
  }
  if (parts.length === 1 && parts[0]!['type'] === 'text') out.push({ role: 'user', content: parts[0]!['text'] });
  else if (parts.length > 0) out.push({ role: 'user', content: parts });
  return out;
}

function textPart(block: unknown): Json {
  if (!isJsonObject(block) || block['type'] !== 'text' || typeof block['text'] !== 'string') fail('a block is not text');
  return { type: 'text', text: block['text'] };
}

function imagePart(source: unknown): Json {
  if (isJsonObject(source) && source['type'] === 'base64')
    return { type: 'image_url', image_url: { url: `data:${source['media_type']};base64,${source['data']}` } };
  if (isJsonObject(source) && source['type'] === 'url') return { type: 'image_url', image_url: { url: source['url'] } };
  return fail('an image source is neither base64 nor a URL');
}

function assistantTurn(content: unknown): Json {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) fail('assistant content is neither text nor blocks');
  const texts: string[] = [];
  const calls: Json[] = [];
  for (const block of content) {
    if (!isJsonObject(block)) fail('a content block is not an object');
    if (block['type'] === 'text' && typeof block['text'] === 'string') texts.push(block['text']);
    else if (block['type'] === 'tool_use')
      calls.push({ id: block['id'], type: 'function', function: { name: block['name'], arguments: JSON.stringify(block['input'] ?? {}) } });
    else fail(`assistant block type ${JSON.stringify(block['type'])} has no OpenAI equivalent`);
  }
  const message: Json = { role: 'assistant', content: textContent(texts) };
  if (calls.length > 0) message['tool_calls'] = calls;
  return message;
}

/** One text as a string, several as text parts, none as null. */
function textContent(texts: readonly string[]): string | Json[] | null {
  if (texts.length === 0) return null;
  if (texts.length === 1) return texts[0]!;
  return texts.map((text) => ({ type: 'text', text }));
}

// --- Gemini (Gemini API and Vertex AI) ---------------------------------------------------------

const GEMINI_BUDGETS: Record<number, string> = { 1024: 'low', 8192: 'medium', 24576: 'high' };

function gemini(r: NativeRequest): InverseResult {
  const vertex = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(\w+)$/.exec(r.path);
  const direct = /^\/v1beta\/models\/([^/:]+):(\w+)$/.exec(r.path);
  const m = vertex ?? direct ?? fail(`the path ${JSON.stringify(r.path)} is not a Gemini generateContent path`);
  const method = vertex ? m[4]! : m[2]!;
  const model = segment(vertex ? m[3]! : m[1]!);
  const options: Record<string, string> = vertex ? { project: segment(m[1]!), location: segment(m[2]!) } : {};
  const body = r.body;
  const messages: Json[] = [];
  const instruction = body['systemInstruction'];
  if (isJsonObject(instruction)) {
    const parts = instruction['parts'];
    if (!Array.isArray(parts)) fail('systemInstruction has no parts');
    for (const p of parts) messages.push({ role: 'system', content: partText(p) });
  }
  const contents = body['contents'];
  if (!Array.isArray(contents)) fail('"contents" is not an array');
  const pending: { id: string; name: string }[] = []; // calls not answered yet, oldest first
  let nextId = 0;
  for (const content of contents) {
    if (!isJsonObject(content) || !Array.isArray(content['parts'])) fail('a content has no parts');
    const parts = content['parts'] as unknown[];
    if (content['role'] === 'model') {
      const texts: string[] = [];
      const calls: Json[] = [];
      for (const p of parts) {
        if (isJsonObject(p) && isJsonObject(p['functionCall'])) {
          const call = p['functionCall'];
          const id = `call_${nextId++}`;
          pending.push({ id, name: String(call['name']) });
          calls.push({ id, type: 'function', function: { name: call['name'], arguments: JSON.stringify(call['args'] ?? {}) } });
        } else texts.push(partText(p));
      }
      const message: Json = { role: 'assistant', content: textContent(texts) };
      if (calls.length > 0) message['tool_calls'] = calls;
      messages.push(message);
    } else if (content['role'] === 'user') {
      if (parts.length > 0 && parts.every((p) => isJsonObject(p) && isJsonObject(p['functionResponse']))) {
        for (const p of parts) {
          const response = (p as Json)['functionResponse'] as Json;
          const at = pending.findIndex((c) => c.name === response['name']);
          if (at < 0) fail(`a functionResponse for ${JSON.stringify(response['name'])} answers no earlier functionCall`);
          const [call] = pending.splice(at, 1);
          messages.push({ role: 'tool', tool_call_id: call!.id, content: responseText(response['response']) });
        }
      } else {
        const userParts = parts.map((p) =>
          isJsonObject(p) && isJsonObject(p['inlineData'])
            ? { type: 'image_url', image_url: { url: `data:${p['inlineData']['mimeType']};base64,${p['inlineData']['data']}` } }
            : { type: 'text', text: partText(p) },
        );
        messages.push({
          role: 'user',
          content: userParts.length === 1 && userParts[0]!['type'] === 'text' ? (userParts[0] as Json)['text'] : userParts,
        });
      }
    } else fail(`content role ${JSON.stringify(content['role'])} is not user or model`);
  }
  const request: Json = { model, messages };
  const tools = body['tools'];
  if (Array.isArray(tools)) {
    const decls = tools.flatMap((t) => (isJsonObject(t) && Array.isArray(t['functionDeclarations']) ? t['functionDeclarations'] : []));
    request['tools'] = decls.map((d) => {
      if (!isJsonObject(d)) fail('a function declaration is not an object');
      const fn: Json = { name: d['name'] };
      if (typeof d['description'] === 'string') fn['description'] = d['description'];
      if (d['parametersJsonSchema'] !== undefined) fn['parameters'] = d['parametersJsonSchema'];
      return { type: 'function', function: fn };
    });
  }
  const calling = isJsonObject(body['toolConfig']) ? body['toolConfig']['functionCallingConfig'] : undefined;
  if (isJsonObject(calling)) {
    const names = calling['allowedFunctionNames'];
    if (calling['mode'] === 'ANY' && Array.isArray(names) && names.length === 1)
      request['tool_choice'] = { type: 'function', function: { name: names[0] } };
    else {
      const mode = ({ AUTO: 'auto', NONE: 'none', ANY: 'required' } as Record<string, string>)[String(calling['mode'])];
      request['tool_choice'] = mode ?? fail(`functionCallingConfig mode ${JSON.stringify(calling['mode'])} has no tool_choice`);
    }
  }
  const config = body['generationConfig'];
  if (isJsonObject(config)) {
    const copy: [string, string][] = [
      ['maxOutputTokens', 'max_tokens'],
      ['temperature', 'temperature'],
      ['topP', 'top_p'],
      ['stopSequences', 'stop'],
      ['candidateCount', 'n'],
      ['presencePenalty', 'presence_penalty'],
      ['frequencyPenalty', 'frequency_penalty'],
      ['seed', 'seed'],
    ];
    for (const [from, to] of copy) if (config[from] !== undefined) request[to] = config[from];
    const thinking = config['thinkingConfig'];
    if (isJsonObject(thinking)) {
      const budget = thinking['thinkingBudget'];
      request['reasoning_effort'] =
        budget === 0 ? 'none' : (GEMINI_BUDGETS[Number(budget)] ?? fail(`thinkingBudget ${budget} has no reasoning_effort`));
    }
    if (config['responseMimeType'] === 'application/json') {
      request['response_format'] =
        config['responseJsonSchema'] !== undefined
          ? { type: 'json_schema', json_schema: { name: 'response', schema: config['responseJsonSchema'] } }
          : { type: 'json_object' };
    }
  }
  if (method !== 'streamGenerateContent' || r.query.get('alt') !== 'sse') return { request, options };
  return { request: withStream(request), options };
}

function partText(p: unknown): string {
  if (isJsonObject(p) && typeof p['text'] === 'string') return p['text'];
  return fail('a part is not text');
}

/** The tool message whose text the Gemini translation turns back into this response object. */
function responseText(response: unknown): string {
  if (isJsonObject(response) && Object.keys(response).length === 1 && typeof response['result'] === 'string') {
    // Plain text is wrapped as {result: text}; text that parses as JSON would not be.
    if (parseJson(response['result']) === undefined) return response['result'];
  }
  return JSON.stringify(response);
}

// --- Bedrock ConverseStream ---------------------------------------------------------------------

function converse(r: NativeRequest): InverseResult {
  const m = pathMatch(r.path, /^\/model\/([^/]+)\/converse-stream$/, 'a Bedrock ConverseStream path');
  const body = r.body;
  const messages: Json[] = [];
  const system = body['system'];
  if (Array.isArray(system)) for (const block of system) messages.push({ role: 'system', content: partText(block) });
  const turns = body['messages'];
  if (!Array.isArray(turns)) fail('"messages" is not an array');
  for (const turn of turns) {
    if (!isJsonObject(turn) || !Array.isArray(turn['content'])) fail('a message has no content blocks');
    const blocks = turn['content'] as unknown[];
    if (turn['role'] === 'assistant') {
      const texts: string[] = [];
      const calls: Json[] = [];
      for (const b of blocks) {
        if (isJsonObject(b) && isJsonObject(b['toolUse'])) {
          const use = b['toolUse'];
          calls.push({
            id: use['toolUseId'],
            type: 'function',
            function: { name: use['name'], arguments: JSON.stringify(use['input'] ?? {}) },
          });
        } else texts.push(partText(b));
      }
      const message: Json = { role: 'assistant', content: textContent(texts) ?? '' };
      if (calls.length > 0) message['tool_calls'] = calls;
      messages.push(message);
    } else if (turn['role'] === 'user') {
      let texts: string[] = [];
      const flush = () => {
        if (texts.length > 0) messages.push({ role: 'user', content: textContent(texts) });
        texts = [];
      };
      for (const b of blocks) {
        if (isJsonObject(b) && isJsonObject(b['toolResult'])) {
          flush();
          const result = b['toolResult'];
          const content = Array.isArray(result['content']) ? result['content'].map(partText) : fail('a toolResult has no content');
          messages.push({ role: 'tool', tool_call_id: result['toolUseId'], content: textContent(content) ?? '' });
        } else texts.push(partText(b));
      }
      flush();
    } else fail(`role ${JSON.stringify(turn['role'])} is not user or assistant`);
  }
  const request: Json = { model: segment(m[1]!), messages };
  const inference = body['inferenceConfig'];
  if (isJsonObject(inference)) {
    const copy: [string, string][] = [
      ['maxTokens', 'max_tokens'],
      ['temperature', 'temperature'],
      ['topP', 'top_p'],
      ['stopSequences', 'stop'],
    ];
    for (const [from, to] of copy) if (inference[from] !== undefined) request[to] = inference[from];
  }
  const toolConfig = body['toolConfig'];
  if (isJsonObject(toolConfig)) {
    const tools = Array.isArray(toolConfig['tools']) ? toolConfig['tools'] : [];
    request['tools'] = tools.map((t) => {
      const spec = isJsonObject(t) && isJsonObject(t['toolSpec']) ? t['toolSpec'] : fail('a tool has no toolSpec');
      const fn: Json = { name: spec['name'] };
      if (typeof spec['description'] === 'string') fn['description'] = spec['description'];
      fn['parameters'] = isJsonObject(spec['inputSchema']) ? spec['inputSchema']['json'] : undefined;
      return { type: 'function', function: fn };
    });
    const choice = toolConfig['toolChoice'];
    if (isJsonObject(choice)) {
      if (isJsonObject(choice['auto'])) request['tool_choice'] = 'auto';
      else if (isJsonObject(choice['any'])) request['tool_choice'] = 'required';
      else if (isJsonObject(choice['tool'])) request['tool_choice'] = { type: 'function', function: { name: choice['tool']['name'] } };
    }
  }
  return { request: withStream(request), options: {} };
}

// --- OpenAI Responses API -----------------------------------------------------------------------

export function fromResponses(body: Json): Json {
  const input = body['input'];
  if (!Array.isArray(input)) fail('"input" is not an array of items');
  const messages: Json[] = [];
  for (const item of input) {
    if (!isJsonObject(item)) fail('an input item is not an object');
    if (item['type'] === 'function_call') {
      const call = { id: item['call_id'], type: 'function', function: { name: item['name'], arguments: item['arguments'] } };
      const last = messages.at(-1);
      if (last?.['role'] === 'assistant') ((last['tool_calls'] as Json[] | undefined) ?? (last['tool_calls'] = [])).push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (item['type'] === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item['call_id'], content: item['output'] });
    } else if (item['type'] === undefined && (item['role'] === 'developer' || item['role'] === 'user')) {
      const c = item['content'];
      const content =
        typeof c === 'string'
          ? c
          : Array.isArray(c)
            ? c.map((p) =>
                isJsonObject(p) && p['type'] === 'input_text' ? { type: 'text', text: p['text'] } : fail('an input part is not input_text'),
              )
            : fail('message content is neither text nor parts');
      messages.push({ role: item['role'] === 'developer' ? 'system' : 'user', content });
    } else if (item['type'] === undefined && item['role'] === 'assistant' && typeof item['content'] === 'string') {
      messages.push({ role: 'assistant', content: item['content'] });
    } else fail(`input item ${JSON.stringify(item['type'] ?? item['role'])} has no chat equivalent`);
  }
  const request: Json = { model: body['model'], messages };
  if (Array.isArray(body['tools'])) {
    request['tools'] = body['tools'].map((t) => {
      if (!isJsonObject(t) || t['type'] !== 'function') fail('a tool is not a function tool');
      const fn: Json = { name: t['name'] };
      if (typeof t['description'] === 'string') fn['description'] = t['description'];
      fn['parameters'] = t['parameters'];
      if (t['strict'] === true) fn['strict'] = true;
      return { type: 'function', function: fn };
    });
  }
  const choice = body['tool_choice'];
  if (typeof choice === 'string') request['tool_choice'] = choice;
  else if (isJsonObject(choice)) request['tool_choice'] = { type: 'function', function: { name: choice['name'] } };
  if (body['parallel_tool_calls'] !== undefined) request['parallel_tool_calls'] = body['parallel_tool_calls'];
  if (body['max_output_tokens'] !== undefined) request['max_completion_tokens'] = body['max_output_tokens'];
  for (const key of ['temperature', 'top_p', 'user', 'metadata', 'service_tier']) if (body[key] !== undefined) request[key] = body[key];
  const text = body['text'];
  if (isJsonObject(text) && isJsonObject(text['format'])) {
    const { type, ...schema } = text['format'];
    request['response_format'] = type === 'json_schema' ? { type, json_schema: schema } : { type };
  }
  if (isJsonObject(body['reasoning'])) request['reasoning_effort'] = body['reasoning']['effort'];
  if (body['store'] !== undefined && body['store'] !== false) request['store'] = body['store'];
  return body['stream'] === true ? withStream(request) : request;
}

// --- Straico ------------------------------------------------------------------------------------

function straico(r: NativeRequest): InverseResult {
  const body = r.body;
  const request: Json = {};
  let options: Record<string, string> = {};
  if (r.path === '/v1/prompt/completion') {
    options = { endpoint: 'prompt' };
    const models = body['models'];
    if (!Array.isArray(models) || models.length !== 1 || typeof models[0] !== 'string') fail('"models" is not one model name');
    request['model'] = models[0];
    request['messages'] = promptMessages(stringField(body, 'message'));
  } else {
    request['model'] = stringField(body, 'model');
    const messages = body['messages'];
    if (!Array.isArray(messages)) fail('"messages" is not an array');
    request['messages'] = messages.map((m) => {
      if (!isJsonObject(m) || !Array.isArray(m['content'])) fail('a message has no content parts');
      const texts = (m['content'] as unknown[]).map((p) => textPart(p)['text'] as string);
      return {
        role: m['role'],
        content: texts.length === 0 ? '' : texts.length === 1 ? texts[0] : texts.map((text) => ({ type: 'text', text })),
      };
    });
  }
  if (body['temperature'] !== undefined) request['temperature'] = body['temperature'];
  if (body['max_tokens'] !== undefined) request['max_tokens'] = body['max_tokens'];
  return { request: withStream(request), options };
}

/** The prompt endpoint's one string: a lone user message, or the tagged transcript the translation writes. */
function promptMessages(message: string): Json[] {
  if (!/^<(system|user|assistant)>\n/.test(message)) return [{ role: 'user', content: message }];
  const out: Json[] = [];
  const re = /<(system|user|assistant)>\n([\s\S]*?)\n<\/\1>(?:\n(?=<(?:system|user|assistant)>\n)|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < message.length && (m = re.exec(message))) out.push({ role: m[1], content: m[2] });
  if (re.lastIndex !== message.length) return [{ role: 'user', content: message }];
  return out;
}
