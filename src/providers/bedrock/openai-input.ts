// Reading the parts of an OpenAI chat request that both Bedrock request builders translate, with
// one clear error for anything they cannot express.
import type { ChatRequest } from '../types.ts';

export interface OpenAIMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The parsed arguments object. */
  input: unknown;
}

export interface FunctionTool {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export type ToolChoice = { type: 'auto' } | { type: 'required' } | { type: 'none' } | { type: 'function'; name: string };

export function messagesOf(request: ChatRequest): OpenAIMessage[] {
  const messages = request['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw new Error('request.messages must be a non-empty array');
  return messages.map((m, i) => {
    if (m === null || typeof m !== 'object' || typeof (m as OpenAIMessage).role !== 'string') {
      throw new Error(`messages[${i}] must be an object with a string role`);
    }
    return m as OpenAIMessage;
  });
}

/** The text pieces of a message's content: a string, or an array of {type:'text'} parts. */
export function textParts(content: unknown, where: string): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) throw new Error(`${where}.content must be a string or an array of content parts`);
  return content.map((part, k) => {
    const p = part as { type?: unknown; text?: unknown } | null;
    if (p?.type !== 'text' || typeof p.text !== 'string') {
      throw new Error(
        `${where}.content[${k}]: content part type ${JSON.stringify(p?.type ?? null)} is not supported for Bedrock (only text)`,
      );
    }
    return p.text;
  });
}

export function toolCallsOf(message: OpenAIMessage, where: string): ToolCall[] {
  if (message.tool_calls === undefined || message.tool_calls === null) return [];
  if (!Array.isArray(message.tool_calls)) throw new Error(`${where}.tool_calls must be an array`);
  return message.tool_calls.map((tc, k) => {
    const call = tc as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
    const at = `${where}.tool_calls[${k}]`;
    if (typeof call?.id !== 'string' || typeof call.function?.name !== 'string')
      throw new Error(`${at} needs a string id and function.name`);
    if (call.type !== undefined && call.type !== 'function')
      throw new Error(`${at}: tool call type ${JSON.stringify(call.type)} is not supported`);
    const args = call.function.arguments;
    let input: unknown = {};
    if (typeof args === 'string' && args.trim() !== '') {
      try {
        input = JSON.parse(args);
      } catch {
        throw new Error(`${at}.function.arguments is not valid JSON (Bedrock needs the arguments as an object)`);
      }
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      throw new Error(`${at}.function.arguments must be a JSON object`);
    return { id: call.id, name: call.function.name, input };
  });
}

export function toolCallIdOf(message: OpenAIMessage, where: string): string {
  if (typeof message.tool_call_id !== 'string') throw new Error(`${where} (role tool) needs a string tool_call_id`);
  return message.tool_call_id;
}

export function functionTools(request: ChatRequest): FunctionTool[] | undefined {
  const tools = request['tools'];
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw new Error('request.tools must be an array');
  return tools.map((t, i) => {
    const tool = t as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } } | null;
    if (tool?.type !== 'function' || typeof tool.function?.name !== 'string') {
      throw new Error(`tools[${i}]: only {type:'function', function:{name,…}} tools are supported for Bedrock`);
    }
    const out: FunctionTool = {
      name: tool.function.name,
      parameters: (tool.function.parameters as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
    };
    if (typeof tool.function.description === 'string') out.description = tool.function.description;
    return out;
  });
}

export function toolChoiceOf(request: ChatRequest): ToolChoice | undefined {
  const choice = request['tool_choice'];
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto' || choice === 'required' || choice === 'none') return { type: choice };
  const named = choice as { type?: unknown; function?: { name?: unknown } };
  if (named.type === 'function' && typeof named.function?.name === 'string') return { type: 'function', name: named.function.name };
  throw new Error(`tool_choice ${JSON.stringify(choice)} is not supported for Bedrock`);
}

export function maxTokensOf(request: ChatRequest): number | undefined {
  const v = request['max_completion_tokens'] ?? request['max_tokens'];
  return typeof v === 'number' ? v : undefined;
}

export function stopSequencesOf(request: ChatRequest): string[] | undefined {
  const stop = request['stop'];
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) return stop as string[];
  throw new Error('request.stop must be a string or an array of strings');
}

export function numberField(request: ChatRequest, name: string): number | undefined {
  const v = request[name];
  return typeof v === 'number' ? v : undefined;
}

/** Fields a Bedrock upstream cannot honour: refused rather than silently dropped. */
export function refuseUnsupported(request: ChatRequest): void {
  const n = request['n'];
  if (typeof n === 'number' && n !== 1) throw new Error('n > 1 is not supported for Bedrock (one choice per request)');
  const format = (request['response_format'] as { type?: unknown } | undefined)?.type;
  if (format !== undefined && format !== 'text') throw new Error(`response_format ${JSON.stringify(format)} is not supported for Bedrock`);
}
