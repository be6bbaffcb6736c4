// The OpenAI-compatible provider factory: each option shapes the upstream request as the provider
// expects, and the rest is the client's request as it was sent.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { getProvider } from '../../../src/providers/index.ts';
import { openAIChatGenerator } from '../../../src/providers/openai-compatible/fuzz.ts';
import { openAICompatibleProvider } from '../../../src/providers/openai-compatible/provider.ts';
import type { ProviderRoute } from '../../../src/providers/types.ts';

const request = { model: 'team model', stream: true, messages: [{ role: 'user', content: 'hi' }] };
const acme = { name: 'acme', displayName: 'Acme', defaultBaseUrl: 'https://api.acme.test', fuzz: openAIChatGenerator() };
const route = (over: Partial<ProviderRoute> = {}): ProviderRoute => ({ baseUrl: 'http://upstream', headers: {}, options: {}, ...over });

describe('openAICompatibleProvider', () => {
  it('defaults: /v1/chat/completions, bearer key, the body unchanged, passthrough allowed', async () => {
    const p = openAICompatibleProvider(acme);
    expect(p).toMatchObject({ name: 'acme', displayName: 'Acme', defaultBaseUrl: 'https://api.acme.test', supportsPassthrough: true });
    expect(p.harnessOptions).toBeUndefined();
    expect(await p.buildRequest(request, route({ apiKey: 'sk-1', headers: { 'X-Trace': 't' } }))).toEqual({
      method: 'POST',
      path: '/v1/chat/completions',
      query: {},
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-1', accept: 'text/event-stream', 'x-trace': 't' },
      body: JSON.stringify(request),
    });
  });

  it('a named auth header, a path and query from the route', async () => {
    const p = openAICompatibleProvider({
      ...acme,
      path: (req, r) => `/deployments/${r.options['deployment'] ?? req.model}/chat`,
      query: (_req, r) => ({ v: r.options['v'] ?? '1' }),
      authHeader: 'x-key',
    });
    const upstream = await p.buildRequest({ model: 'm' }, route({ apiKey: 'sk-2', options: { deployment: 'd1' } }));
    expect(upstream).toMatchObject({ path: '/deployments/d1/chat', query: { v: '1' }, headers: { 'x-key': 'sk-2' } });
    expect(upstream.headers['authorization']).toBeUndefined();
    expect(upstream.headers['accept']).toBeUndefined();
  });

  it('option headers fill in only what the route does not set', async () => {
    const p = openAICompatibleProvider({
      ...acme,
      optionHeaders: { 'proxy-auth': { option: 'proxyKey', prefix: 'Bearer ' } },
    });
    expect((await p.buildRequest(request, route({ options: { proxyKey: 'pk' } }))).headers['proxy-auth']).toBe('Bearer pk');
    expect(
      (await p.buildRequest(request, route({ headers: { 'Proxy-Auth': 'mine' }, options: { proxyKey: 'pk' } }))).headers['proxy-auth'],
    ).toBe('mine');
    expect((await p.buildRequest(request, route())).headers['proxy-auth']).toBeUndefined();
  });

  it('provider finish reasons reach the decoder', () => {
    const p = openAICompatibleProvider({ ...acme, finishReasons: { halt: 'length' } });
    const out: CanonicalEvent[] = [];
    const decoder = p.createStreamDecoder({ newId: (prefix) => `${prefix}1`, now: () => 1, model: 'm' });
    decoder.feed(
      Buffer.from('data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"halt"}]}\n\ndata: [DONE]\n\n'),
      out,
    );
    decoder.end(out);
    expect(out.filter((e) => e.type === 'finish')).toMatchObject([{ type: 'finish', reason: 'length' }]);
  });
});

describe('xAI usage: reasoning tokens outside completion_tokens', () => {
  // A real xAI stream for a 12-token prompt: completion_tokens leaves the 290 reasoning tokens
  // out, total_tokens counts them. Normalize mode speaks OpenAI: reasoning inside completion.
  const chunk = (delta: string, finish: string | null, usage: string) =>
    `data: {"id":"u1","object":"chat.completion.chunk","created":1,"model":"grok-4","choices":[{"index":0,"delta":${delta}${finish ? `,"finish_reason":"${finish}"` : ''}}],"usage":${usage}}\n\n`;
  const usage = (completion: number, reasoning: number) =>
    `{"prompt_tokens":12,"completion_tokens":${completion},"total_tokens":${12 + completion + reasoning},"completion_tokens_details":{"reasoning_tokens":${reasoning}}}`;
  // Cumulative usage on every chunk, finish_reason on the last content chunk.
  const body = `${chunk('{"role":"assistant","content":""}', null, usage(0, 250))}${chunk('{"content":"Hi"}', 'stop', usage(1, 290))}data: [DONE]\n\n`;

  function decode(name: string): CanonicalEvent[] {
    const out: CanonicalEvent[] = [];
    const decoder = getProvider(name)!.createStreamDecoder({ newId: (prefix) => `${prefix}1`, now: () => 1, model: 'm' });
    decoder.feed(Buffer.from(body), out);
    decoder.end(out);
    return out;
  }

  it('xai: completion counts reasoning, and prompt + completion = total, on every usage event', () => {
    const usages = decode('xai').filter((e) => e.type === 'usage');
    expect(usages).toEqual([
      { type: 'usage', usage: { promptTokens: 12, completionTokens: 250, totalTokens: 262, reasoningTokens: 250 } },
      { type: 'usage', usage: { promptTokens: 12, completionTokens: 291, totalTokens: 303, reasoningTokens: 290 } },
    ]);
    const events = decode('xai');
    expect(events.filter((e) => e.type === 'text-delta' || e.type === 'finish').map((e) => e.type)).toEqual(['text-delta', 'finish']);
  });

  it('openai (reasoning already inside completion) passes the numbers through', () => {
    expect(
      decode('openai')
        .filter((e) => e.type === 'usage')
        .at(-1),
    ).toEqual({
      type: 'usage',
      usage: { promptTokens: 12, completionTokens: 1, totalTokens: 303, reasoningTokens: 290 },
    });
  });

  it('the factory option says it for any provider', () => {
    const p = openAICompatibleProvider({ ...acme, reasoningTokensOutsideCompletion: true });
    const out: CanonicalEvent[] = [];
    const decoder = p.createStreamDecoder({ newId: (prefix) => `${prefix}1`, now: () => 1, model: 'm' });
    decoder.feed(Buffer.from(body), out);
    decoder.end(out);
    expect(out.filter((e) => e.type === 'usage').at(-1)).toMatchObject({ usage: { completionTokens: 291, totalTokens: 303 } });
  });
});

describe('the OpenAI-compatible providers', () => {
  it('Azure: deployment path, api-version query, api-key header', async () => {
    const azure = getProvider('azure')!;
    expect(await azure.buildRequest({ model: 'gpt 4o', stream: true }, route({ apiKey: 'ak' }))).toMatchObject({
      path: '/openai/deployments/gpt%204o/chat/completions',
      query: { 'api-version': '2024-10-21' },
      headers: { 'api-key': 'ak' },
    });
    expect(
      await azure.buildRequest({ model: 'gpt-4o' }, route({ apiKey: 'ak', options: { deployment: 'prod', apiVersion: '2025-04-01' } })),
    ).toMatchObject({ path: '/openai/deployments/prod/chat/completions', query: { 'api-version': '2025-04-01' } });
  });

  it('Together via Helicone: Together bearer auth plus Helicone-Auth from the heliconeKey option', async () => {
    const helicone = getProvider('together-helicone')!;
    const upstream = await helicone.buildRequest(request, route({ apiKey: 'tk', options: { ...helicone.harnessOptions } }));
    expect(upstream.headers).toMatchObject({ authorization: 'Bearer tk', 'helicone-auth': 'Bearer sk-helicone-streamproof' });
    expect(upstream.path).toBe('/v1/chat/completions');
  });
});
