// OpenAI chat requests → Anthropic-on-Vertex requests: the model in the path, anthropic_version in
// the body, a Bearer token, the Messages translation shared with the anthropic provider.
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../../src/providers/vertex-anthropic/request.ts';
import { buildRequest as buildAnthropicRequest } from '../../../src/providers/anthropic/request.ts';
import type { ChatRequest, ProviderRoute } from '../../../src/providers/types.ts';

const route: ProviderRoute = {
  baseUrl: 'https://us-east5-aiplatform.googleapis.com',
  apiKey: 'ya29.test-token',
  headers: {},
  options: { project: 'streamproof-test', location: 'us-east5' },
};

const chat: ChatRequest = {
  model: 'claude-opus-4-5@20251101',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello' },
  ],
  stream: true,
  stream_options: { include_usage: true },
};

describe('vertex-anthropic buildRequest', () => {
  it('streams through streamRawPredict with the model version in the path and a Bearer token', () => {
    const req = buildRequest(chat, route);
    expect(req.method).toBe('POST');
    expect(req.path).toBe(
      '/v1/projects/streamproof-test/locations/us-east5/publishers/anthropic/models/claude-opus-4-5@20251101:streamRawPredict',
    );
    expect(req.query).toEqual({});
    expect(req.headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer ya29.test-token',
      accept: 'text/event-stream',
    });
  });

  it('sends the Messages body without model and with anthropic_version vertex-2023-10-16', () => {
    expect(JSON.parse(buildRequest(chat, route).body)).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
  });

  it('shares the anthropic translation for everything but model and version', () => {
    const request: ChatRequest = {
      ...chat,
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'w', arguments: '{"c":"Rome"}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object', properties: { c: { type: 'string' } } } } }],
      tool_choice: 'required',
    };
    const { model: _model, ...direct } = JSON.parse(buildAnthropicRequest(request, { ...route, options: {} }).body) as Record<
      string,
      unknown
    >;
    expect(JSON.parse(buildRequest(request, route).body)).toEqual({ anthropic_version: 'vertex-2023-10-16', ...direct });
  });

  it('uses rawPredict for a request that does not stream', () => {
    expect(buildRequest({ ...chat, stream: false }, route).path).toMatch(/:rawPredict$/);
  });

  it('sends anthropic-beta when configured, and route headers', () => {
    const req = buildRequest(chat, {
      ...route,
      options: { ...route.options, beta: 'context-1m-2025-08-07' },
      headers: { 'X-Goog-User-Project': 'billing-proj' },
    });
    expect(req.headers['anthropic-beta']).toBe('context-1m-2025-08-07');
    expect(req.headers['x-goog-user-project']).toBe('billing-proj');
    expect(req.headers).not.toHaveProperty('x-api-key');
    expect(req.headers).not.toHaveProperty('anthropic-version');
  });

  it('escapes path segments but keeps the "@" of model versions', () => {
    const req = buildRequest({ ...chat, model: 'claude/../x@1' }, { ...route, options: { project: 'p q', location: 'global' } });
    expect(req.path).toBe('/v1/projects/p%20q/locations/global/publishers/anthropic/models/claude%2F..%2Fx@1:streamRawPredict');
  });

  it('refuses a route without project or location', () => {
    expect(() => buildRequest(chat, { ...route, options: { location: 'us-east5' } })).toThrow(/needs the options "project" and "location"/);
    expect(() => buildRequest(chat, { ...route, options: { project: 'p' } })).toThrow(/needs the options "project" and "location"/);
  });
});
