// The official openai SDK as a client of the reference gateway under faults: every mid-stream
// failure reaches it as a thrown error after the text that did arrive (never as a truncated
// success), errors before headers as an APIError with the provider's status and message, and
// keep-alive heartbeats, even in the middle of a stalled event, are invisible to it.
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import type { UpstreamFault } from '../../src/cassette/schema.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { faultGatewayConfig } from '../../src/scenario/kinds/fault/run.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const cassette = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const body = { ...cassette.request.body, model: 'openai/gpt-5-nano', stream: true as const };

const midStream: [string, UpstreamFault, RegExp][] = [
  ['idle timeout', { fault: 'stall-mid-stream', afterChunk: 3, ms: 5_000 }, /idle timeout/],
  ['TCP reset', { fault: 'reset-mid-stream', afterChunk: 3 }, /connection closed by upstream/],
  [
    'in-band provider error',
    { fault: 'error-event', afterChunk: 3, message: 'The server is overloaded.', type: 'server_error', code: null },
    /The server is overloaded\./,
  ],
  ['EOF without [DONE]', { fault: 'eof-mid-stream', afterChunk: 3 }, /ended before \[DONE\]/],
  ['hang before [DONE]', { fault: 'hang-mid-stream', afterChunk: 7 }, /idle timeout/],
];

describe.each(['normalize', 'passthrough'] as const)('openai SDK through faults (%s)', (mode) => {
  let replay: ReplayUpstream;
  let gateway: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    replay = await startReplayUpstream({ maxHangMs: 5_000 });
    gateway = await startGateway(faultGatewayConfig(replay, mode, { heartbeatMs: 10, timeouts: { idleMs: 500 }, routes: [] }, 1));
    client = new OpenAI({ apiKey: 'sk-client-test', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await replay.close();
  });

  async function consume(): Promise<{ text: string; finish: string | null; error: unknown }> {
    let text = '';
    let finish: string | null = null;
    let error: unknown = null;
    try {
      const stream = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsStreaming);
      for await (const chunk of stream) {
        for (const choice of chunk.choices) {
          if (choice.delta.content) text += choice.delta.content;
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
    } catch (err) {
      error = err;
    }
    return { text, finish, error };
  }

  it.each(midStream)('surfaces a mid-stream %s as an error', async (_name, fault, message) => {
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0, fault });
    const seen = await consume();
    expect(seen.error, 'the SDK must throw, not end quietly').toBeInstanceOf(Error);
    expect(String((seen.error as Error).message)).toMatch(message);
    expect(cassette.expect.text.startsWith(seen.text)).toBe(true);
  });

  it('ignores heartbeats written while an event is half received', async () => {
    // The 4th read ends inside an emoji; 100 ms of silence at 10 ms heartbeats follow.
    replay.arm('openai', {
      cassette,
      chunks: cassette.response.chunks,
      speed: 0,
      fault: { fault: 'stall-mid-stream', afterChunk: 4, ms: 100 },
    });
    const seen = await consume();
    expect(seen.error).toBeNull();
    expect(seen.text).toBe(cassette.expect.text);
    expect(seen.finish).toBe('stop');
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/streamproof_gateway_heartbeats_total\{route="openai\/\*"\} [1-9]/);
  });

  it('turns errors before headers into an APIError with the provider status and message', async () => {
    for (let i = 0; i < 3; i++)
      replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0, fault: { fault: 'status', status: 503 } });
    const seen = await consume();
    expect(seen.error).toBeInstanceOf(OpenAI.APIError);
    expect((seen.error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect(String((seen.error as Error).message)).toContain('The engine is currently overloaded');
  });

  it('gets the whole answer after a retried 429', async () => {
    replay.arm('openai', {
      cassette,
      chunks: cassette.response.chunks,
      speed: 0,
      fault: { fault: 'status', status: 429, retryAfterMs: 10 },
    });
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const seen = await consume();
    expect(seen.error).toBeNull();
    expect(seen.text).toBe(cassette.expect.text);
  });
});
