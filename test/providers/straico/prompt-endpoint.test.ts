// The prompt endpoint (route option `endpoint: prompt`) through the reference gateway. A parity
// scenario cannot set route options per cassette, so this suite does what a parity run does for
// the prompt-endpoint cassette: request parity, the golden byte for byte, the same output for
// every re-chunking, and the cassette's expectation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOpenAICompletion, readOpenAIStream, semanticMismatches } from '../../../src/checks/semantic.ts';
import { goldenPath, loadCassette } from '../../../src/cassette/cassette.ts';
import { applyChunking, chunkingName, type Chunking } from '../../../src/cassette/chunking.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { sendExchange } from '../../../src/client/exchange.ts';
import { startGateway, type RunningGateway } from '../../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../../src/target/target.ts';
import { REPO_ROOT } from '../../helpers/cassettes.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const cassette = loadCassette(join(REPO_ROOT, 'fixtures/straico/prompt-endpoint/completion-201.yaml'));
const body = { ...cassette.request.body, model: `straico/${String(cassette.request.body['model'])}` };

let replay: ReplayUpstream;
let gateway: RunningGateway;
beforeAll(async () => {
  replay = await startReplayUpstream();
  const config = harnessGatewayConfig(replay, 'normalize');
  for (const route of config.routes) if (route.provider === 'straico') route.options = { ...route.options, endpoint: 'prompt' };
  gateway = await startGateway(config);
});
afterAll(async () => {
  await gateway.close();
  await replay.close();
});

async function run(chunking: Chunking, request: Record<string, unknown> = body) {
  const exchange = replay.arm('straico', { cassette, chunks: applyChunking(cassette.response.chunks, chunking), speed: 0 });
  const client = await sendExchange(`${gateway.url}/v1/chat/completions`, request, { timeoutMs: 10_000 });
  return { client, problems: requestProblems(await exchange) };
}

describe('straico prompt endpoint through the gateway', () => {
  it('sends the flattened prompt to /v1/prompt/completion and matches the golden for every chunking', async () => {
    const golden = readFileSync(goldenPath(cassette, 'normalize'));
    const chunkings: Chunking[] = [
      { kind: 'recorded' },
      { kind: 'bytewise' },
      { kind: 'random', seed: 1 },
      { kind: 'random', seed: 2 },
      { kind: 'random', seed: 3 },
    ];
    for (const chunking of chunkings) {
      const { client, problems } = await run(chunking);
      expect(problems, chunkingName(chunking)).toEqual([]);
      expect(client.status).toBe(200);
      expect(client.body.toString('utf8'), chunkingName(chunking)).toBe(golden.toString('utf8'));
    }
    expect(semanticMismatches(readOpenAIStream(golden), cassette.expect, 'normalize')).toEqual([]);
  });

  it('answers a non-streaming client with one chat.completion from the nested completion', async () => {
    const { client, problems } = await run({ kind: 'recorded' }, { ...body, stream: false, stream_options: undefined });
    expect(problems).toEqual([]);
    const completion = JSON.parse(client.body.toString('utf8')) as { id: string; model: string };
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    expect(semanticMismatches(readOpenAICompletion(client.body), cassette.expect, 'normalize')).toEqual([]);
  });
});
