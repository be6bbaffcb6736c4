// Anthropic Messages API: POST /v1/messages, the key in x-api-key, the API version in a header.
// Route options: beta (comma-separated beta names, sent as anthropic-beta).
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildMessagesBody } from './messages.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
  };
  if (route.apiKey !== undefined) headers['x-api-key'] = route.apiKey;
  const beta = route.options['beta'];
  if (beta) headers['anthropic-beta'] = beta;
  if (request.stream === true) headers['accept'] = 'text/event-stream';
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return { method: 'POST', path: '/v1/messages', query: {}, headers, body: JSON.stringify(buildMessagesBody(request)) };
}
