// OpenAI chat request → Bedrock InvokeModelWithResponseStream for Anthropic Claude models
// (`POST /model/{modelId}/invoke-with-response-stream`). The body is an Anthropic Messages body
// with `anthropic_version: "bedrock-2023-05-31"` and without `model` and `stream` (the model is in
// the path; the endpoint always streams). SigV4-signed like ConverseStream.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { authenticate } from '../bedrock/auth.ts';
import { lowerCased } from '../bedrock/request.ts';
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
} from '../bedrock/openai-input.ts';

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';
/** Claude requires max_tokens; OpenAI clients often leave it out. */
export const DEFAULT_MAX_TOKENS = 4096;

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | { type: 'text'; text: string }[] };

interface ClaudeMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

export async function buildRequest(request: ChatRequest, route: ProviderRoute): Promise<UpstreamRequest> {
  const path = `/model/${encodeURIComponent(request.model)}/invoke-with-response-stream`;
  const body = JSON.stringify(claudeBody(request));
  const headers = await authenticate(
    route,
    path,
    { 'content-type': 'application/json', 'x-amzn-bedrock-accept': 'application/json', ...lowerCased(route.headers) },
    body,
  );
  return { method: 'POST', path, query: {}, headers, body };
}

export function claudeBody(request: ChatRequest): Record<string, unknown> {
  refuseUnsupported(request);
  const system: string[] = [];
  const messages: ClaudeMessage[] = [];
  const add = (role: ClaudeMessage['role'], content: Block[]) => {
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };

  messagesOf(request).forEach((m, i) => {
    const where = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(m.content, where));
        return;
      case 'user': {
        const content = textBlocks(textParts(m.content, where));
        if (content.length === 0) throw new Error(`${where} (role user) has no text: Claude rejects empty messages`);
        add('user', content);
        return;
      }
      case 'assistant': {
        const content: Block[] = textBlocks(textParts(m.content, where));
        for (const call of toolCallsOf(m, where)) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
        if (content.length > 0) add('assistant', content);
        return;
      }
      case 'tool': {
        const parts = textParts(m.content, where);
        const content = typeof m.content === 'string' ? m.content : parts.map((text) => ({ type: 'text' as const, text }));
        // Every tool result for one assistant turn goes in the one user message that follows it.
        add('user', [{ type: 'tool_result', tool_use_id: toolCallIdOf(m, where), content }]);
        return;
      }
      default:
        throw new Error(`${where}: role ${JSON.stringify(m.role)} is not supported for Bedrock`);
    }
  });

  const body: Record<string, unknown> = {
    anthropic_version: BEDROCK_ANTHROPIC_VERSION,
    max_tokens: maxTokensOf(request) ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length > 0) body['system'] = system.join('\n\n');
  // A message of one text block is sent in the short string form.
  body['messages'] = messages.map((m) => ({
    role: m.role,
    content: m.content.length === 1 && m.content[0]!.type === 'text' ? m.content[0]!.text : m.content,
  }));
  const temperature = numberField(request, 'temperature');
  if (temperature !== undefined) body['temperature'] = temperature;
  const topP = numberField(request, 'top_p');
  if (topP !== undefined) body['top_p'] = topP;
  const stop = stopSequencesOf(request);
  if (stop !== undefined) body['stop_sequences'] = stop;
  const tools = functionTools(request);
  if (tools && tools.length > 0) {
    body['tools'] = tools.map((t) => ({
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      input_schema: t.parameters,
    }));
    // Claude takes tool_choice only together with tools.
    const choice = toolChoiceOf(request);
    if (choice?.type === 'required') body['tool_choice'] = { type: 'any' };
    else if (choice?.type === 'function') body['tool_choice'] = { type: 'tool', name: choice.name };
    else if (choice) body['tool_choice'] = { type: choice.type };
  }
  return body;
}

function textBlocks(parts: string[]): Block[] {
  return parts.filter((t) => t !== '').map((text) => ({ type: 'text', text }));
}
