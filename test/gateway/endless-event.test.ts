// An upstream that sends data lines and never ends the event is cut at the parser's event bound
// (16 MiB) with an error event, in both modes, instead of the gateway buffering without limit.
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette, type Cassette } from '../../src/cassette/cassette.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const base = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const line = Buffer.from(`data: ${'x'.repeat(1000)}\n`.repeat(1000)); // ~1 MB of data lines, no blank line
const endless: Cassette = { ...base, response: { ...base.response, chunks: Array.from({ length: 20 }, () => ({ bytes: line, at: 0 })) } };

let replay: ReplayUpstream;
const gateways: RunningGateway[] = [];
beforeAll(async () => {
  replay = await startReplayUpstream();
});
afterAll(async () => {
  for (const g of gateways) await g.close();
  await replay.close();
});

describe('an upstream event that never ends', () => {
  for (const mode of ['normalize', 'passthrough'] as const) {
    it(`ends the client stream with an error event (${mode})`, async () => {
      const gateway = await startGateway(harnessGatewayConfig(replay, mode));
      gateways.push(gateway);
      replay.arm('openai', { cassette: endless, chunks: endless.response.chunks, speed: 0 });
      const res = await request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...base.request.body, model: 'openai/gpt-5-nano' }),
      });
      const text = await res.body.text();
      expect(text).toContain('upstream sent an SSE event of more than 16777216 bytes without ending it (limits.maxEventBytes)');
      expect(text.length).toBeLessThan(64 * 1024); // nothing of the endless event reached the client
      // The stream's buffers are released once the gateway has finished with it (polled, bounded).
      for (let waited = 0; gateway.bufferedBytes() > 0 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(gateway.bufferedBytes()).toBe(0);
    });
  }
});
