// OpenAI chat request → Bedrock InvokeModelWithResponseStream for Anthropic Claude models
// (`POST /model/{modelId}/invoke-with-response-stream`). The body is the Anthropic Messages body
// (anthropic/messages.ts, shared with api.anthropic.com and Vertex AI) with
// `anthropic_version: "bedrock-2023-05-31"` first and without `model` and `stream` (the model is in
// the path; the endpoint always streams). SigV4-signed like ConverseStream.
import type { ChatRequest, ProviderRoute, UpstreamRequest } from '../types.ts';
import type { JsonObject } from '../../base/json.ts';
import { authenticate } from '../bedrock/auth.ts';
import { lowerCased } from '../bedrock/request.ts';
import { buildMessagesBody } from '../anthropic/messages.ts';

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

export async function buildRequest(request: ChatRequest, route: ProviderRoute): Promise<UpstreamRequest> {
  const path = `/model/${encodeURIComponent(request.model)}/invoke-with-response-stream`;
  const body = JSON.stringify(claudeBody(request));
  const headers = await authenticate(
    route,
    path,
    { 'content-type': 'application/json', 'x-amzn-bedrock-accept': 'application/json', ...lowerCased(route.headers) },
    body,
  );
  return { method: 'POST', path, query: {}, headers, body };
}

/** The InvokeModel body: the Messages body, its version first, without `model` and `stream`. */
export function claudeBody(request: ChatRequest): JsonObject {
  const messages = buildMessagesBody(request);
  delete messages['model'];
  delete messages['stream'];
  return { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...messages };
}
