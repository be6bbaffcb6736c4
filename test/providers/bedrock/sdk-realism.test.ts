// Fixture realism: the official AWS SDK (ConverseStreamCommand) reads every bedrock cassette as
// the replay upstream serves it over real loopback, with the cassette's read boundaries. It must
// yield the cassette's text, reasoning, tool calls, usage and stop reason, and throw the named
// exception for exception cassettes. The SDK sends the cassette's own native request body, so the
// replay's request check also proves that body is one the SDK itself would send.
import { BedrockRuntimeClient, ConverseStreamCommand, type ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { exceptionNameIn } from './helpers.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const cassettes = shippedCassettes().filter((c) => c.provider === 'bedrock');

// Written here, not imported from the decoder, so the test judges it.
const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
};

let replay: ReplayUpstream;
let client: BedrockRuntimeClient;
beforeAll(async () => {
  replay = await startReplayUpstream();
  client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: replay.baseUrl('bedrock'),
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await replay.close();
});

describe('the AWS SDK (ConverseStream) reads every bedrock cassette', () => {
  it('has cassettes to read', () => expect(cassettes.length).toBeGreaterThanOrEqual(4));

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (_name, cassette) => {
    const exchange = replay.arm('bedrock', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const modelId = decodeURIComponent(cassette.upstreamRequest.path.split('/')[2]!);
    const input = { modelId, ...(cassette.upstreamRequest.body as object) } as ConverseStreamCommandInput;

    let text = '';
    let reasoning = '';
    let stopReason: string | undefined;
    let usage:
      | { inputTokens?: number; outputTokens?: number; totalTokens?: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number }
      | undefined;
    const calls = new Map<number, { id: string; name: string; input: string }>();
    let error: Error | null = null;
    try {
      const response = await client.send(new ConverseStreamCommand(input));
      for await (const event of response.stream!) {
        // A server-side tool (run by Bedrock) is no call for the client, as the cassettes expect.
        if (event.contentBlockStart?.start?.toolUse && event.contentBlockStart.start.toolUse.type !== 'server_tool_use') {
          const t = event.contentBlockStart.start.toolUse;
          calls.set(event.contentBlockStart.contentBlockIndex!, { id: t.toolUseId!, name: t.name!, input: '' });
        }
        const delta = event.contentBlockDelta?.delta;
        if (delta?.text !== undefined) text += delta.text;
        if (delta?.reasoningContent?.text !== undefined) reasoning += delta.reasoningContent.text;
        if (delta?.toolUse?.input !== undefined) {
          const call = calls.get(event.contentBlockDelta!.contentBlockIndex!);
          if (call) call.input += delta.toolUse.input;
        }
        if (event.messageStop) stopReason = event.messageStop.stopReason;
        if (event.metadata) usage = event.metadata.usage;
      }
    } catch (err) {
      error = err as Error;
    }

    const want = cassette.expect;
    expect(text).toBe(want.text);
    expect(reasoning).toBe(want.reasoning ?? '');
    const toolCalls = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, c]) => ({ id: c.id, name: c.name, arguments: JSON.parse(c.input) as unknown }));
    expect(toolCalls).toEqual(want.toolCalls);
    if (want.error) {
      expect(error, 'the exception frame must make the SDK throw').toBeInstanceOf(Error);
      expect(error!.name).toBe(exceptionNameIn(cassette));
      expect(error!.message).toBe(want.error.message);
      expect(stopReason).toBeUndefined();
    } else {
      expect(error).toBeNull();
      expect(FINISH[stopReason!]).toBe(want.finishReason);
    }
    if (want.usage) {
      // OpenAI's prompt tokens include the cached ones, which Bedrock counts apart from inputTokens.
      const prompt = (usage?.inputTokens ?? 0) + (usage?.cacheReadInputTokens ?? 0) + (usage?.cacheWriteInputTokens ?? 0);
      expect({ prompt_tokens: prompt, completion_tokens: usage?.outputTokens, total_tokens: usage?.totalTokens }).toEqual(want.usage);
    }
    expect(requestProblems(await exchange)).toEqual([]);
  });
});
