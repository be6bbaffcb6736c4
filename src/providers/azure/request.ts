// Azure OpenAI: the deployment is in the path, the version in the query, the key in api-key.
// Route options: deployment (defaults to the request's model), apiVersion (default 2024-10-21).
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildOpenAICompatibleRequest } from '../openai-compatible/chat-request.ts';

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  const deployment = route.options['deployment'] ?? request.model;
  return buildOpenAICompatibleRequest(request, route, {
    path: `/openai/deployments/${encodeURIComponent(deployment)}/chat/completions`,
    query: { 'api-version': route.options['apiVersion'] ?? DEFAULT_AZURE_API_VERSION },
    authHeader: 'api-key',
  });
}
