// Gemini on Vertex AI: the Gemini API body on a project/location path, with an OAuth2 access
// token as `Authorization: Bearer` (Vertex rejects API keys on this path).
// Route options: project (required), location (default us-central1). The route's base URL must
// match the location: https://{location}-aiplatform.googleapis.com, or
// https://aiplatform.googleapis.com for `global`.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildGeminiBody, modelSegment } from '../gemini/request.ts';

export const DEFAULT_VERTEX_LOCATION = 'us-central1';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  const project = route.options['project'];
  if (project === undefined || project === '') throw new Error('vertex-gemini: the route needs a "project" option');
  const location = route.options['location'] ?? DEFAULT_VERTEX_LOCATION;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (route.apiKey !== undefined) headers['authorization'] = `Bearer ${route.apiKey}`;
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return {
    method: 'POST',
    path: `/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/google/models/${modelSegment(request.model)}:streamGenerateContent`,
    query: { alt: 'sse' },
    headers,
    body: JSON.stringify(buildGeminiBody(request)),
  };
}
