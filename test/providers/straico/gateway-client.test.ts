// The openai SDK as the client of the gateway in front of Straico, streaming and not: the stream
// the gateway synthesises from Straico's one JSON answer and the aggregated chat.completion must
// both carry the cassette's text, tool calls (parsed from the answer's XML), finish reason and
// usage; a Straico failure must reach the SDK as an error either way.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cassette } from '../../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../../src/target/target.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const cassettes = shippedCassettes().filter((c) => c.provider === 'straico');

let replay: ReplayUpstream;
let gateway: RunningGateway;
let client: OpenAI;
beforeAll(async () => {
  replay = await startReplayUpstream();
  gateway = await startGateway(harnessGatewayConfig(replay, 'normalize'));
  client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await replay.close();
});

/** The cassette's request as the client sends it, streaming or not. */
function requestFor(cassette: Cassette, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { ...cassette.request.body, model: `straico/${String(cassette.request.body['model'])}`, stream };
  if (stream) body['stream_options'] = { include_usage: true };
  else delete body['stream_options'];
  return body;
}

/** Tool calls compared by name and arguments; ids only where the request is the cassette's own (ids derive from the request). */
function expectCalls(got: { id: string; name: string; arguments: string }[], cassette: Cassette, sameRequest: boolean) {
  expect(got.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments) as unknown }))).toEqual(
    cassette.expect.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })),
  );
  for (const [i, call] of got.entries()) {
    if (sameRequest) expect(call.id).toBe(cassette.expect.toolCalls[i]!.id);
    else expect(call.id).toMatch(/^call_/);
  }
}

describe.each(cassettes.map((c) => [c.name, c] as const))('openai SDK → gateway → %s', (_name, cassette) => {
  const want = cassette.expect;

  it('streams', async () => {
    const exchange = replay.arm('straico', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const stream = (await client.chat.completions.create(
      requestFor(cassette, true) as never,
    )) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>;
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    let role: string | undefined;
    const calls: { id: string; name: string; arguments: string }[] = [];
    let error: unknown = null;
    try {
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        for (const choice of chunk.choices) {
          role ??= choice.delta.role;
          text += choice.delta.content ?? '';
          for (const tc of choice.delta.tool_calls ?? []) {
            const call = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
            if (tc.id) call.id = tc.id;
            call.name += tc.function?.name ?? '';
            call.arguments += tc.function?.arguments ?? '';
          }
          finish = choice.finish_reason ?? finish;
        }
      }
    } catch (err) {
      error = err;
    }
    expect(role).toBe('assistant');
    expect(text).toBe(want.text);
    if (want.error) {
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as Error).message).toContain(want.error.message ?? '');
      expect(finish).toBeNull();
    } else {
      expect(error).toBeNull();
      expect(finish).toBe(want.finishReason);
      expectCalls(calls, cassette, cassette.streaming);
      if (want.usage)
        expect({
          prompt_tokens: usage?.prompt_tokens,
          completion_tokens: usage?.completion_tokens,
          total_tokens: usage?.total_tokens,
        }).toEqual(want.usage);
    }
    expect(requestProblems(await exchange)).toEqual([]);
  });

  it('answers a non-streaming client with one chat.completion', async () => {
    const exchange = replay.arm('straico', { cassette, chunks: cassette.response.chunks, speed: 0 });
    if (want.error) {
      const failure = client.chat.completions.create(requestFor(cassette, false) as never);
      await expect(failure).rejects.toBeInstanceOf(OpenAI.APIError);
      await expect(failure).rejects.toMatchObject({ status: 502, message: expect.stringContaining(want.error.message ?? '') });
    } else {
      const completion = (await client.chat.completions.create(requestFor(cassette, false) as never)) as OpenAI.ChatCompletion;
      expect(completion.object).toBe('chat.completion');
      const message = completion.choices[0]!.message;
      expect(message.content ?? '').toBe(want.text);
      // A message of tool calls only has content null, as OpenAI sends it.
      if (want.toolCalls.length > 0 && want.text === '') expect(message.content).toBeNull();
      expect(completion.choices[0]!.finish_reason).toBe(want.finishReason);
      const calls = (message.tool_calls ?? []).map((t) => {
        if (t.type !== 'function') throw new Error(`unexpected tool call type ${t.type}`);
        return { id: t.id, name: t.function.name, arguments: t.function.arguments };
      });
      expectCalls(calls, cassette, !cassette.streaming);
      if (want.usage)
        expect({
          prompt_tokens: completion.usage?.prompt_tokens,
          completion_tokens: completion.usage?.completion_tokens,
          total_tokens: completion.usage?.total_tokens,
        }).toEqual(want.usage);
    }
    expect(requestProblems(await exchange)).toEqual([]);
  });
});
