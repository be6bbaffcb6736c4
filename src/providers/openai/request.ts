// OpenAI chat completions: the request is forwarded as the client wrote it.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildOpenAICompatibleRequest } from '../openai-compatible/chat-request.ts';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  return buildOpenAICompatibleRequest(request, route);
}
