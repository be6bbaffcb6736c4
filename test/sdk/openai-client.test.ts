// The official openai SDK as a real client of the reference gateway: for every cassette and both
// modes, it reconstructs the cassette's text, tool calls and usage, and surfaces a mid-stream
// error as an error (never as a truncated success).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { getProvider } from '../../src/providers/index.ts';
import { shippedCassettes } from '../helpers/cassettes.ts';
import { requestProblems } from '../../src/checks/upstream-request.ts';

const cassettes = shippedCassettes();

describe.each(['normalize', 'passthrough'] as const)('openai SDK through the gateway (%s)', (mode) => {
  let replay: ReplayUpstream;
  let gateway: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    replay = await startReplayUpstream();
    gateway = await startGateway(harnessGatewayConfig(replay, mode));
    client = new OpenAI({ apiKey: 'sk-client-test', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await replay.close();
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (_name, cassette) => {
    const exchange = replay.arm(cassette.provider, { cassette, chunks: cassette.response.chunks, speed: 0 });
    const body = { ...cassette.request.body, model: `${cassette.provider}/${String(cassette.request.body['model'])}` };
    const want = cassette.expect;

    if (!cassette.streaming) {
      const completion = (await client.chat.completions.create(body as never)) as OpenAI.ChatCompletion;
      expect(completion.choices[0]?.message.content ?? '').toBe(want.text);
      expect(completion.choices[0]?.finish_reason ?? null).toBe(want.finishReason);
      if (want.usage) expect(pickUsage(completion.usage)).toEqual(want.usage);
      expect(requestProblems(await exchange)).toEqual([]);
      return;
    }

    const stream = (await client.chat.completions.create(body as never)) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>;
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    const calls: { id: string; name: string; arguments: string }[] = [];
    let error: unknown = null;
    try {
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        for (const choice of chunk.choices) {
          if (choice.index !== 0) continue;
          if (choice.delta.content) text += choice.delta.content;
          for (const tc of choice.delta.tool_calls ?? []) {
            const call = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
            if (tc.id) call.id = tc.id;
            if (tc.function?.name) call.name += tc.function.name;
            if (tc.function?.arguments) call.arguments += tc.function.arguments;
          }
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
    } catch (err) {
      error = err;
    }
    expect(text).toBe(want.text);
    if (want.error) {
      expect(error, 'a mid-stream error must reach the SDK as an error').toBeInstanceOf(Error);
      if (want.error.message) expect(String((error as Error).message)).toContain(want.error.message);
    }
    // Only an upstream forwarded as it is keeps its own finish word and usage numbers.
    const passthrough = mode === 'passthrough' && getProvider(cassette.provider)?.supportsPassthrough === true;
    if (!want.error) {
      expect(error).toBeNull();
      expect(finish).toBe(passthrough ? (want.rawFinishReason ?? want.finishReason) : want.finishReason);
    }
    expect(calls.map((c) => ({ id: c.id, name: c.name, arguments: JSON.parse(c.arguments) as unknown }))).toEqual(want.toolCalls);
    const wantUsage = passthrough ? (want.rawUsage ?? want.usage) : want.usage;
    if (wantUsage) expect(pickUsage(usage)).toEqual(wantUsage);
    expect(requestProblems(await exchange)).toEqual([]);
  });
});

function pickUsage(u: OpenAI.CompletionUsage | undefined) {
  return u && { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens };
}
