// Gemini on Vertex AI: the Gemini body on the project/location path, with a Bearer token.
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../../src/providers/vertex-gemini/request.ts';
import { buildGeminiBody } from '../../../src/providers/gemini/request.ts';
import { provider } from '../../../src/providers/vertex-gemini/index.ts';
import type { ChatRequest, ProviderRoute } from '../../../src/providers/types.ts';

const route: ProviderRoute = {
  baseUrl: 'https://europe-west4-aiplatform.googleapis.com',
  apiKey: 'ya29.test-token',
  headers: {},
  options: { project: 'my-project', location: 'europe-west4' },
};
const request: ChatRequest = {
  model: 'gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ],
  max_tokens: 50,
  stream: true,
};

describe('vertex-gemini request', () => {
  it('posts the Gemini body to the project/location path with alt=sse and a Bearer token', () => {
    const req = buildRequest(request, route);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:streamGenerateContent');
    expect(req.query).toEqual({ alt: 'sse' });
    expect(req.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer ya29.test-token' });
    expect(JSON.parse(req.body)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 50 },
    });
    expect(JSON.parse(req.body)).toEqual(buildGeminiBody(request));
  });

  it('defaults the location to us-central1 and never sends x-goog-api-key', () => {
    const req = buildRequest(request, { ...route, options: { project: 'p' } });
    expect(req.path).toBe('/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent');
    expect(req.headers['x-goog-api-key']).toBeUndefined();
  });

  it('needs a project', () => {
    expect(() => buildRequest(request, { ...route, options: {} })).toThrow(/needs a "project" option/);
  });

  it('ships fake harness options only', () => {
    expect(provider.harnessOptions).toEqual({ project: 'streamproof-test', location: 'us-central1' });
    expect(provider.supportsPassthrough).toBe(false);
  });
});
