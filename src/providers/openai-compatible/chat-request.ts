// Request building shared by upstreams that take the OpenAI chat body as it is.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';

export interface OpenAICompatibleRequestOptions {
  path?: string;
  query?: Record<string, string>;
  /** How the credential is sent: `Authorization: Bearer` (default) or a named header. */
  authHeader?: 'bearer' | string;
}

export function buildOpenAICompatibleRequest(
  request: ChatRequest,
  route: ProviderRoute,
  options: OpenAICompatibleRequestOptions = {},
): UpstreamRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (route.apiKey !== undefined) {
    const auth = options.authHeader ?? 'bearer';
    if (auth === 'bearer') headers['authorization'] = `Bearer ${route.apiKey}`;
    else headers[auth] = route.apiKey;
  }
  if (request.stream === true) headers['accept'] = 'text/event-stream';
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return {
    method: 'POST',
    path: options.path ?? '/v1/chat/completions',
    query: options.query ?? {},
    headers,
    body: JSON.stringify(request),
  };
}
