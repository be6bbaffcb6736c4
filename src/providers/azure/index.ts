// Azure OpenAI: the deployment is in the path, the version in the query, the key in api-key.
// Route options: deployment (defaults to the request's model), apiVersion (default 2024-10-21).
// The stream has a leading prompt-filter chunk (empty choices and id) and content_filter_results
// on every choice; both are tolerated by the shared decoder.
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';
import { openAIChatGenerator } from '../openai-compatible/fuzz.ts';

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export const provider = openAICompatibleProvider({
  name: 'azure',
  displayName: 'Azure OpenAI',
  defaultBaseUrl: 'https://example-resource.openai.azure.com',
  path: (request, route) => `/openai/deployments/${encodeURIComponent(route.options['deployment'] ?? request.model)}/chat/completions`,
  query: (_request, route) => ({ 'api-version': route.options['apiVersion'] ?? DEFAULT_AZURE_API_VERSION }),
  authHeader: 'api-key',
  fuzz: openAIChatGenerator({ azure: true }),
});
