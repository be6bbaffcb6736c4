// Fixture realism: the official @anthropic-ai/sdk reads every anthropic cassette as the replay
// upstream serves it over loopback (no gateway in between), both as raw stream events and through
// its own message accumulator, and sends the very request the cassette expects from a gateway.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { expectCassetteView, readWithSdk } from './sdk-view.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const cassettes = shippedCassettes().filter((c) => c.provider === 'anthropic');

let replay: ReplayUpstream;
let client: Anthropic;
beforeAll(async () => {
  replay = await startReplayUpstream();
  // SDK 1.x defaults to API version 2026-10-21 with the key as a Bearer token; the cassettes (and
  // the gateway) speak 2023-06-01 with x-api-key, so the SDK is pinned to that dialect.
  client = new Anthropic({
    apiKey: 'x',
    baseURL: replay.baseUrl('anthropic'),
    maxRetries: 0,
    defaultHeaders: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-streamproof', authorization: null },
  });
});
afterAll(() => replay.close());

describe('the @anthropic-ai/sdk reads every anthropic cassette', () => {
  it.each(cassettes.map((c) => [c.name, c] as const))('%s (raw stream events)', async (_name, cassette) => {
    const exchange = replay.arm('anthropic', { cassette, chunks: cassette.response.chunks, speed: 0 });
    // The cassette's expected upstream request is a valid Messages request: the SDK sends exactly it.
    const view = await readWithSdk(client, cassette.upstreamRequest.body as unknown as Anthropic.MessageCreateParamsStreaming);
    expectCassetteView(view, cassette);
    if (cassette.expect.error) {
      expect(view.error).toBeInstanceOf(Anthropic.APIError);
      const error = view.error as InstanceType<typeof Anthropic.APIError>;
      expect(error.type).toBe(cassette.expect.error.type);
      expect(error.apiMessage).toBe(cassette.expect.error.message);
    }
    if (cassette.expect.reasoning) expect(view.signature).not.toBe('');
    expect(requestProblems(await exchange)).toEqual([]);
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s (messages.stream accumulator)', async (_name, cassette) => {
    replay.arm('anthropic', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const stream = client.messages.stream(cassette.upstreamRequest.body as unknown as Anthropic.MessageStreamParams);
    if (cassette.expect.error) {
      await expect(stream.finalMessage()).rejects.toThrow(cassette.expect.error.message!);
      return;
    }
    const message = await stream.finalMessage();
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const thinking = message.content.flatMap((b) => (b.type === 'thinking' ? [b] : []));
    const tools = message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: b.input }] : []));
    expect(text).toBe(cassette.expect.text);
    expect(thinking.map((b) => b.thinking).join('')).toBe(cassette.expect.reasoning ?? '');
    for (const b of thinking) expect(b.signature).not.toBe('');
    expect(tools).toEqual(cassette.expect.toolCalls);
    expect(message.usage.output_tokens).toBe(cassette.expect.usage?.completion_tokens);
  });
});
