// Fixture realism: the provider's own SDK must be able to read every cassette as the upstream
// serves it (no gateway in between). A cassette its SDK cannot read is a broken fixture. msw
// serves the cassette bytes in-process, read by read, to the SDK's fetch.
import OpenAI from 'openai';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cassette } from '../../src/cassette/cassette.ts';
import { shippedCassettes } from '../helpers/cassettes.ts';

const OPENAI_DIALECT = new Set(['openai', 'azure', 'xai', 'together', 'together-helicone', 'backendai']);
const cassettes = shippedCassettes().filter((c) => OPENAI_DIALECT.has(c.provider));

let current: Cassette | null = null;
const server = setupServer(
  http.post('http://fixture.test/*', () => {
    const cassette = current!;
    const chunks = cassette.response.chunks.map((c) => c.bytes);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(new Uint8Array(next));
        else controller.close();
      },
    });
    return new HttpResponse(body, { status: cassette.response.status, headers: cassette.response.headers });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('the openai SDK reads every OpenAI-dialect cassette', () => {
  // Built after msw has patched fetch: the SDK keeps the fetch it finds at construction.
  let client: OpenAI;
  beforeAll(() => {
    client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://fixture.test/v1', maxRetries: 0 });
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (_name, cassette) => {
    current = cassette;
    const want = cassette.expect;
    if (!cassette.streaming) {
      const completion = (await client.chat.completions.create(cassette.request.body as never)) as OpenAI.ChatCompletion;
      expect(completion.choices[0]?.message.content ?? '').toBe(want.text);
      return;
    }
    const stream = (await client.chat.completions.create(
      cassette.request.body as never,
    )) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>;
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    const args: string[] = [];
    let error: unknown = null;
    try {
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        for (const choice of chunk.choices ?? []) {
          if (choice.index !== 0) continue;
          text += choice.delta?.content ?? '';
          for (const tc of choice.delta?.tool_calls ?? []) args[tc.index] = (args[tc.index] ?? '') + (tc.function?.arguments ?? '');
        }
      }
    } catch (err) {
      error = err;
    }
    expect(text).toBe(want.text);
    expect(error !== null).toBe(want.error !== undefined);
    expect(args.map((a) => JSON.parse(a) as unknown)).toEqual(want.toolCalls.map((t) => t.arguments));
    if (want.usage) expect(usage?.total_tokens).toBe(want.usage.total_tokens);
  });
});
