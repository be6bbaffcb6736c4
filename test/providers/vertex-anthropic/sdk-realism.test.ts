// Fixture realism for Vertex AI: streamRawPredict answers with the Anthropic Messages stream, so
// the official @anthropic-ai/sdk must read every vertex-anthropic cassette. The slot is bound to the
// cassette so the SDK's POST /v1/messages is served the Vertex body.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import type { Cassette } from '../../../src/cassette/cassette.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { expectCassetteView, readWithSdk } from '../anthropic/sdk-view.ts';

const cassettes = shippedCassettes().filter((c) => c.provider === 'vertex-anthropic');

let replay: ReplayUpstream;
let client: Anthropic;
beforeAll(async () => {
  replay = await startReplayUpstream();
  client = new Anthropic({ apiKey: 'x', baseURL: replay.baseUrl('vertex-anthropic'), maxRetries: 0 });
});
afterAll(() => replay.close());

/** The Vertex body as a Messages API body: the model back in, anthropic_version out. */
function messagesParams(cassette: Cassette): Anthropic.MessageCreateParamsStreaming {
  const { anthropic_version: _version, ...rest } = cassette.upstreamRequest.body as Record<string, unknown>;
  return { ...rest, model: String(cassette.request.body['model']) } as unknown as Anthropic.MessageCreateParamsStreaming;
}

describe('the @anthropic-ai/sdk reads every vertex-anthropic cassette', () => {
  it('has the cassettes the issue asks for', () => {
    expect(cassettes.length).toBeGreaterThanOrEqual(3);
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s (raw stream events)', async (_name, cassette) => {
    replay.bind('vertex-anthropic', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const view = await readWithSdk(client, messagesParams(cassette));
    expectCassetteView(view, cassette);
    expect(view.error).toBeNull(); // a truncated body is not an SDK error: only the missing message_stop tells
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s (messages.stream accumulator)', async (_name, cassette) => {
    replay.bind('vertex-anthropic', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const stream = client.messages.stream(messagesParams(cassette));
    if (cassette.expect.error) {
      // Without message_stop the SDK's own accumulator refuses to produce a message.
      await expect(stream.finalMessage()).rejects.toThrow(/stream ended without producing a Message/);
      return;
    }
    const message = await stream.finalMessage();
    expect(message.id).toMatch(/^msg_vrtx_/);
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const tools = message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: b.input }] : []));
    expect(text).toBe(cassette.expect.text);
    expect(tools).toEqual(cassette.expect.toolCalls);
    expect(message.usage.output_tokens).toBe(cassette.expect.usage?.completion_tokens);
  });
});
