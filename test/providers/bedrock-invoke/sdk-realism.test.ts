// Fixture realism: the official AWS SDK (InvokeModelWithResponseStreamCommand) reads every
// bedrock-invoke cassette as the replay upstream serves it over real loopback. Each chunk's bytes
// are one Claude event; folded the way a Claude client folds them they must give the cassette's
// text, tool calls, usage and stop reason, and exception cassettes must make the SDK throw the
// named exception. The SDK sends the cassette's own native body, so the replay's request check
// also proves that body and those headers are what the SDK itself sends.
import { BedrockRuntimeClient, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { exceptionNameIn } from '../bedrock/helpers.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const cassettes = shippedCassettes().filter((c) => c.provider === 'bedrock-invoke');

// Written here, not imported from the decoder, so the test judges it.
const FINISH: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls' };

let replay: ReplayUpstream;
let client: BedrockRuntimeClient;
beforeAll(async () => {
  replay = await startReplayUpstream();
  client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: replay.baseUrl('bedrock-invoke'),
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await replay.close();
});

interface ClaudeEvent {
  type: string;
  index?: number;
  message?: { usage?: Record<string, number> };
  content_block?: { type: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: Record<string, number>;
  'amazon-bedrock-invocationMetrics'?: Record<string, number>;
}

describe('the AWS SDK (InvokeModelWithResponseStream) reads every bedrock-invoke cassette', () => {
  it('has cassettes to read', () => expect(cassettes.length).toBeGreaterThanOrEqual(3));

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (_name, cassette) => {
    const exchange = replay.arm('bedrock-invoke', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const modelId = decodeURIComponent(cassette.upstreamRequest.path.split('/')[2]!);

    let text = '';
    let stopReason: string | undefined;
    let stopped = false;
    const usage: Record<string, number> = {};
    let metrics: Record<string, number> | undefined;
    const calls = new Map<number, { id: string; name: string; input: string }>();
    let error: Error | null = null;
    try {
      const response = await client.send(
        new InvokeModelWithResponseStreamCommand({
          modelId,
          body: JSON.stringify(cassette.upstreamRequest.body),
          contentType: 'application/json',
          accept: 'application/json',
        }),
      );
      for await (const part of response.body!) {
        if (!part.chunk?.bytes) continue;
        const event = JSON.parse(Buffer.from(part.chunk.bytes).toString('utf8')) as ClaudeEvent;
        switch (event.type) {
          case 'message_start':
            Object.assign(usage, event.message?.usage);
            break;
          case 'content_block_start':
            if (event.content_block?.type === 'tool_use')
              calls.set(event.index!, { id: event.content_block.id!, name: event.content_block.name!, input: '' });
            break;
          case 'content_block_delta':
            if (event.delta?.type === 'text_delta') text += event.delta.text;
            if (event.delta?.type === 'input_json_delta') {
              // Only client tool_use blocks are calls; a server_tool_use block streams its input too.
              const call = calls.get(event.index!);
              if (call) call.input += event.delta.partial_json;
            }
            break;
          case 'message_delta':
            stopReason = event.delta?.stop_reason;
            Object.assign(usage, event.usage);
            break;
          case 'message_stop':
            stopped = true;
            metrics = event['amazon-bedrock-invocationMetrics'];
            break;
        }
      }
    } catch (err) {
      error = err as Error;
    }

    const want = cassette.expect;
    expect(text).toBe(want.text);
    const toolCalls = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, c]) => ({ id: c.id, name: c.name, arguments: JSON.parse(c.input) as unknown }));
    expect(toolCalls).toEqual(want.toolCalls);
    if (want.error) {
      expect(error, 'the exception frame must make the SDK throw').toBeInstanceOf(Error);
      expect(error!.name).toBe(exceptionNameIn(cassette));
      expect(error!.message).toBe(want.error.message);
      expect(stopped).toBe(false);
    } else {
      expect(error).toBeNull();
      expect(stopped).toBe(true);
      expect(FINISH[stopReason!]).toBe(want.finishReason);
    }
    if (want.usage) {
      const prompt = (usage['input_tokens'] ?? 0) + (usage['cache_read_input_tokens'] ?? 0) + (usage['cache_creation_input_tokens'] ?? 0);
      const completion = usage['output_tokens'] ?? 0;
      expect({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }).toEqual(want.usage);
      // Bedrock's own invocation metrics agree with Claude's usage.
      // (inputTokenCount, like Claude's input_tokens, leaves the cache reads and writes out.)
      const metricPrompt =
        (metrics?.['inputTokenCount'] ?? 0) + (metrics?.['cacheReadInputTokenCount'] ?? 0) + (metrics?.['cacheWriteInputTokenCount'] ?? 0);
      expect({ prompt_tokens: metricPrompt, completion_tokens: metrics?.['outputTokenCount'] }).toEqual({
        prompt_tokens: want.usage.prompt_tokens,
        completion_tokens: want.usage.completion_tokens,
      });
    }
    expect(requestProblems(await exchange)).toEqual([]);
  });
});
