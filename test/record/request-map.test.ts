// Recorded upstream requests back to OpenAI chat requests, checked by each provider's own
// translation, and the facts upstreamRequest keeps.
import { describe, expect, it } from 'vitest';
import { getProvider } from '../../src/providers/index.ts';
import type { ProviderDescriptor } from '../../src/providers/types.ts';
import { jsonDifference, requestFacts, type RecordedRequest } from '../../src/record/request-map.ts';
import { shippedCassettes } from '../helpers/cassettes.ts';

/** The native request a client (or the gateway) sends for an OpenAI chat request, as the recorder would see it. */
async function nativeRequest(provider: ProviderDescriptor, body: Record<string, unknown>, options: Record<string, string> = {}) {
  const route = {
    baseUrl: 'http://127.0.0.1:9',
    apiKey: 'sk-test-key-0123456789',
    headers: {},
    options: { ...provider.harnessOptions, ...options },
  };
  const up = await provider.buildRequest(body as never, route);
  const recorded: RecordedRequest = {
    method: up.method,
    path: up.path,
    query: Object.entries(up.query),
    headers: Object.entries(up.headers).map(([n, v]) => [n.toLowerCase(), v] as [string, string]),
    body: Buffer.from(up.body),
  };
  return { recorded, json: JSON.parse(up.body) as Record<string, unknown> };
}

describe('request mapping', () => {
  for (const c of shippedCassettes()) {
    it(`maps the upstream request of ${c.name} back to an OpenAI request that translates to it exactly`, async () => {
      const provider = getProvider(c.provider)!;
      // As the gateway calls it: a native upstream is always asked for a stream.
      const body = provider.supportsPassthrough ? c.request.body : { ...c.request.body, stream: true };
      const { recorded, json } = await nativeRequest(provider, body);
      const facts = await requestFacts(provider, recorded, json, true);
      expect(facts.notes).toEqual([]);
      expect(facts.request.native).toBeUndefined();
      expect(facts.upstreamRequest.bodyMatch).toBe('exact');
      const again = await nativeRequest(provider, facts.request.body!);
      expect(again.json).toEqual(json);
      expect(again.recorded.path).toBe(recorded.path);
      expect(facts.model).toBe(String(c.request.body['model']));
      expect(facts.streaming).toBe(body['stream'] === true);
      // The credential header is required by name; its value is nowhere in the facts.
      const auth = recorded.headers.find(([n]) => /authorization|api-key/.test(n))![0];
      expect(facts.upstreamRequest.headers.present).toContain(auth);
      expect(JSON.stringify(facts)).not.toContain('sk-test-key-0123456789');
    });
  }

  it('keeps a request the translation cannot reproduce as native, saying why', async () => {
    const anthropic = getProvider('anthropic')!;
    const { recorded, json } = await nativeRequest(anthropic, {
      model: 'claude-x',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      max_tokens: 9,
    });
    const cached = { ...json, system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }] };
    const facts = await requestFacts(anthropic, { ...recorded, body: Buffer.from(JSON.stringify(cached)) }, cached, true);
    expect(facts.request).toEqual({ native: cached });
    expect(facts.notes).toEqual([
      'the OpenAI chat request streamproof derived does not translate back to the recorded body (body.system: [{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}] became "be brief")',
    ]);
    expect(facts.upstreamRequest.body).toEqual(cached);
    expect(facts.upstreamRequest.headers.present).toEqual(['content-type', 'anthropic-version', 'x-api-key']);

    const { stream: _stream, ...once } = json;
    const nonStreaming = await requestFacts(anthropic, recorded, once, false);
    expect(nonStreaming.request.native).toEqual(once);
    expect(nonStreaming.notes[0]).toMatch(/body\.stream is added/);

    const thinking = { ...json, messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's' }] }] };
    const unreadable = await requestFacts(anthropic, recorded, thinking, true);
    expect(unreadable.notes).toEqual([
      'the request cannot be written as an OpenAI chat request: assistant block type "thinking" has no OpenAI equivalent',
    ]);
  });

  it('matches an Azure body without a model as a subset, with the deployment as the model', async () => {
    const azure = getProvider('azure')!;
    const { recorded, json } = await nativeRequest(
      azure,
      { model: 'prod-gpt', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { apiVersion: '2025-01-01' },
    );
    const { model: _model, ...noModel } = json;
    const facts = await requestFacts(azure, recorded, noModel, true);
    expect(facts.request.body!['model']).toBe('prod-gpt');
    expect(facts.upstreamRequest.bodyMatch).toBe('subset');
    expect(facts.upstreamRequest.query).toEqual({ 'api-version': '2025-01-01' });
    expect(facts.notes).toEqual([
      "streamproof's harness route sends query api-version=2024-10-21: edit upstreamRequest.query before `streamproof run`",
    ]);
  });

  it('says when the harness route would send another path (a real Vertex project)', async () => {
    const vertex = getProvider('vertex-gemini')!;
    const { recorded, json } = await nativeRequest(
      vertex,
      { model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { project: 'acme-prod', location: 'europe-west4' },
    );
    const facts = await requestFacts(vertex, recorded, json, true);
    expect(facts.upstreamRequest.bodyMatch).toBe('exact');
    expect(facts.upstreamRequest.path).toBe(
      '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent',
    );
    expect(facts.notes).toEqual([
      "streamproof's harness route sends path /v1/projects/streamproof-test/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent: edit upstreamRequest.path before `streamproof run`",
    ]);
  });

  it('drops credential query parameters from the facts, and says so', async () => {
    const gemini = getProvider('gemini')!;
    const { recorded, json } = await nativeRequest(gemini, {
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const withKey = { ...recorded, query: [...recorded.query, ['key', 'AIza-query-key-value'] as [string, string]] };
    const facts = await requestFacts(gemini, withKey, json, true);
    expect(facts.upstreamRequest.query).toEqual({ alt: 'sse' });
    expect(facts.notes).toEqual(['query parameter key (a credential) is not kept']);
  });

  it('reads Straico prompt-endpoint transcripts and Gemini tool results back', async () => {
    const straico = getProvider('straico')!;
    const conversation = {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Bye' },
      ],
      stream: true,
    };
    const prompt = await nativeRequest(straico, conversation, { endpoint: 'prompt' });
    const facts = await requestFacts(straico, prompt.recorded, prompt.json, false);
    expect(facts.upstreamRequest.bodyMatch).toBe('exact');
    expect(facts.request.body!['messages']).toEqual(conversation.messages);

    const gemini = getProvider('gemini')!;
    const tools = {
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
            { id: 'b', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'a', content: 'rain' },
        { role: 'tool', tool_call_id: 'b', content: '{"c":21}' },
      ],
      stream: true,
    };
    const g = await nativeRequest(gemini, tools);
    const gf = await requestFacts(gemini, g.recorded, g.json, true);
    expect(gf.upstreamRequest.bodyMatch).toBe('exact');
    expect((gf.request.body!['messages'] as { content: unknown }[]).slice(2).map((m) => m.content)).toEqual(['rain', '{"c":21}']);
  });

  it('finds the first difference between JSON values, or none', () => {
    expect(jsonDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, false, 'body')).toBeNull();
    expect(jsonDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }, false, 'body')).toBe('body.a[1].b: 2 became 3');
    expect(jsonDifference({ a: 1 }, { a: 1, b: 2 }, false, 'body')).toBe('body.b is added');
    expect(jsonDifference({ a: 1 }, { a: 1, b: 2 }, true, 'body')).toBeNull();
    expect(jsonDifference({ a: 1, c: 0 }, { a: 1 }, true, 'body')).toBe('body.c is missing');
  });
});
