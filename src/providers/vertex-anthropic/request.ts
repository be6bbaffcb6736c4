// Anthropic models on Vertex AI: the Messages body without `model` (it is in the path) and with
// `anthropic_version` in the body instead of a header; a Google OAuth access token as Bearer.
// Route options: project, location (both required), beta (sent as anthropic-beta).
// The host depends on the location ({location}-aiplatform.googleapis.com, or
// aiplatform.googleapis.com for `global`): a route for another region than the default base
// URL's must set its baseUrl.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildMessagesBody } from '../anthropic/messages.ts';

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  const project = route.options['project'];
  const location = route.options['location'];
  if (!project || !location) throw new Error('a vertex-anthropic route needs the options "project" and "location"');

  const messages = buildMessagesBody(request);
  delete messages['model'];
  const body = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...messages };
  // As Anthropic's Vertex SDK does: streamRawPredict for streams, rawPredict otherwise (the
  // gateway always asks this provider for a stream).
  const method = request.stream === true ? 'streamRawPredict' : 'rawPredict';
  const path = `/v1/projects/${segment(project)}/locations/${segment(location)}/publishers/anthropic/models/${segment(request.model)}:${method}`;

  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (route.apiKey !== undefined) headers['authorization'] = `Bearer ${route.apiKey}`;
  const beta = route.options['beta'];
  if (beta) headers['anthropic-beta'] = beta;
  if (request.stream === true) headers['accept'] = 'text/event-stream';
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return { method: 'POST', path, query: {}, headers, body: JSON.stringify(body) };
}

/** One path segment; `@` stays literal, as in Vertex model versions (claude-sonnet-4-5@20250929). */
function segment(value: string): string {
  return encodeURIComponent(value).replaceAll('%40', '@');
}
