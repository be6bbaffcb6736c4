// Together AI: OpenAI chat body and bearer auth.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildOpenAICompatibleRequest } from '../openai-compatible/chat-request.ts';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  return buildOpenAICompatibleRequest(request, route);
}
