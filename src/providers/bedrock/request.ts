// OpenAI chat request → Bedrock ConverseStream (`POST /model/{modelId}/converse-stream`).
// System and developer messages become `system` blocks; user, assistant and tool messages become
// alternating user/assistant messages of content blocks (tool results ride in a user message, and
// consecutive messages of one role are merged, since Converse rejects two in a row); sampling
// settings go in `inferenceConfig`, function tools in `toolConfig`. SigV4-signed (auth.ts).
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { authenticate } from './auth.ts';
import {
  functionTools,
  maxTokensOf,
  messagesOf,
  numberField,
  refuseUnsupported,
  stopSequencesOf,
  textParts,
  toolCallIdOf,
  toolCallsOf,
  toolChoiceOf,
} from './openai-input.ts';

type ContentBlock =
  | { text: string }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: { text: string }[] } };

interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export async function buildRequest(request: ChatRequest, route: ProviderRoute): Promise<UpstreamRequest> {
  const path = `/model/${encodeURIComponent(request.model)}/converse-stream`;
  const body = JSON.stringify(converseBody(request));
  const headers = await authenticate(route, path, { 'content-type': 'application/json', ...lowerCased(route.headers) }, body);
  return { method: 'POST', path, query: {}, headers, body };
}

export function converseBody(request: ChatRequest): Record<string, unknown> {
  refuseUnsupported(request);
  const system: { text: string }[] = [];
  const messages: ConverseMessage[] = [];
  const add = (role: ConverseMessage['role'], content: ContentBlock[]) => {
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };

  messagesOf(request).forEach((m, i) => {
    const where = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const text of textParts(m.content, where)) system.push({ text });
        return;
      case 'user': {
        const content = textParts(m.content, where)
          .filter((t) => t !== '')
          .map((text) => ({ text }));
        if (content.length === 0) throw new Error(`${where} (role user) has no text: Bedrock rejects empty messages`);
        add('user', content);
        return;
      }
      case 'assistant': {
        const content: ContentBlock[] = textParts(m.content, where)
          .filter((t) => t !== '')
          .map((text) => ({ text }));
        for (const call of toolCallsOf(m, where)) content.push({ toolUse: { toolUseId: call.id, name: call.name, input: call.input } });
        // An assistant turn with nothing in it (content "" and no tool calls) has nothing to say to Bedrock.
        if (content.length > 0) add('assistant', content);
        return;
      }
      case 'tool':
        add('user', [
          { toolResult: { toolUseId: toolCallIdOf(m, where), content: textParts(m.content, where).map((text) => ({ text })) } },
        ]);
        return;
      default:
        throw new Error(`${where}: role ${JSON.stringify(m.role)} is not supported for Bedrock`);
    }
  });

  const body: Record<string, unknown> = { messages };
  if (system.length > 0) body['system'] = system;
  const inferenceConfig = inferenceConfigOf(request);
  if (Object.keys(inferenceConfig).length > 0) body['inferenceConfig'] = inferenceConfig;
  const toolConfig = toolConfigOf(request, messages);
  if (toolConfig) body['toolConfig'] = toolConfig;
  return body;
}

function inferenceConfigOf(request: ChatRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const maxTokens = maxTokensOf(request);
  if (maxTokens !== undefined) config['maxTokens'] = maxTokens;
  const temperature = numberField(request, 'temperature');
  if (temperature !== undefined) config['temperature'] = temperature;
  const topP = numberField(request, 'top_p');
  if (topP !== undefined) config['topP'] = topP;
  const stop = stopSequencesOf(request);
  if (stop !== undefined) config['stopSequences'] = stop;
  return config;
}

function toolConfigOf(request: ChatRequest, messages: readonly ConverseMessage[]): Record<string, unknown> | undefined {
  const tools = functionTools(request);
  const choice = toolChoiceOf(request);
  if (!tools || tools.length === 0) return undefined;
  if (choice?.type === 'none') {
    // Converse has no "none": leaving the tools out is the same, unless the conversation already
    // holds tool blocks, which Converse only accepts with a toolConfig.
    const hasToolBlocks = messages.some((m) => m.content.some((b) => 'toolUse' in b || 'toolResult' in b));
    if (hasToolBlocks)
      throw new Error('tool_choice "none" cannot be expressed for Bedrock Converse once the conversation holds tool calls');
    return undefined;
  }
  const config: Record<string, unknown> = {
    tools: tools.map((t) => ({
      toolSpec: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        inputSchema: { json: t.parameters },
      },
    })),
  };
  if (choice?.type === 'auto') config['toolChoice'] = { auto: {} };
  else if (choice?.type === 'required') config['toolChoice'] = { any: {} };
  else if (choice?.type === 'function') config['toolChoice'] = { tool: { name: choice.name } };
  return config;
}

export function lowerCased(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
