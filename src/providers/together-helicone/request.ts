// Together AI through the Helicone proxy: Together's request, Helicone's base URL, plus the
// Helicone-Auth header (configured on the route); the provider key stays in Authorization.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import { buildRequest as buildTogetherRequest } from '../together/request.ts';

export function buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest {
  const upstream = buildTogetherRequest(request, route);
  if (upstream.headers['helicone-auth'] === undefined && route.options['heliconeKey'] !== undefined) {
    upstream.headers['helicone-auth'] = `Bearer ${route.options['heliconeKey']}`;
  }
  return upstream;
}
