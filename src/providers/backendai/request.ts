// Backend.AI model serving exposes a vLLM OpenAI-compatible server; the key, if any, is bearer.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildOpenAICompatibleRequest } from '../openai-compatible/chat-request.ts';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  return buildOpenAICompatibleRequest(request, route);
}
