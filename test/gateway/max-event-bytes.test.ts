// limits.maxEventBytes: an upstream event that grows past the configured size without its blank
// line ends the client stream with one OpenAI-shaped error event naming the limit, in both modes;
// the events before it reach the client whole, nothing of the oversized event does, and the
// stream's buffers are released. Passthrough holds every line of an unfinished event (comments
// too), so an endless run of comment lines is bounded there as well.
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette, type Cassette } from '../../src/cassette/cassette.ts';
import { loadGatewayConfig } from '../../src/gateway/config.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { harnessGatewayConfig, type GatewayMode } from '../../src/target/target.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const LIMIT = 64 * 1024;
const base = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const firstEvent = Buffer.from(
  'data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}\n\n',
);

/** A whole first event, then `line` repeated in reads of 50 lines, 200 reads (far past LIMIT), never a blank line. */
function endless(line: string): Cassette {
  const piece = Buffer.from(line.repeat(50));
  const chunks = [{ bytes: firstEvent, at: 0 }, ...Array.from({ length: 200 }, () => ({ bytes: piece, at: 0 }))];
  return { ...base, response: { ...base.response, chunks } };
}

let replay: ReplayUpstream;
const gateways: RunningGateway[] = [];
beforeAll(async () => {
  replay = await startReplayUpstream();
});
afterAll(async () => {
  for (const g of gateways) await g.close();
  await replay.close();
});

async function stream(mode: GatewayMode, cassette: Cassette): Promise<{ gateway: RunningGateway; status: number; text: string }> {
  const config = harnessGatewayConfig(replay, mode);
  config.limits.maxEventBytes = LIMIT;
  const gateway = await startGateway(config);
  gateways.push(gateway);
  replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
  const res = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...base.request.body, model: 'openai/gpt-5-nano' }),
  });
  return { gateway, status: res.statusCode, text: await res.body.text() };
}

/** The data of each event the client received, in order. */
function events(text: string): string[] {
  return text
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => e.replace(/^data: /, ''));
}

async function released(gateway: RunningGateway): Promise<void> {
  for (let waited = 0; gateway.bufferedBytes() > 0 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  expect(gateway.bufferedBytes()).toBe(0);
}

describe('limits.maxEventBytes', () => {
  for (const mode of ['normalize', 'passthrough'] as const) {
    it(`ends a stream whose event outgrows the limit with an error event (${mode})`, async () => {
      const { gateway, status, text } = await stream(mode, endless(`data: ${'x'.repeat(1000)}\n`));
      expect(status).toBe(200);
      const received = events(text);
      // The first event, whole (normalize writes the role chunk apart from the content), then the error.
      const chunks = received.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta: { content?: string } }[] });
      expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('hi');
      const error = JSON.parse(received.at(-1)!) as { error: { message: string; type: string; param: null; code: null } };
      expect(error.error.message).toBe(`upstream sent an SSE event of more than ${LIMIT} bytes without ending it (limits.maxEventBytes)`);
      expect(Object.keys(error.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(typeof error.error.type).toBe('string');
      expect(text).not.toContain('xxxxxxxxxx'); // nothing of the oversized event reached the client
      await released(gateway);
    });
  }

  it('bounds an unfinished event made of comment lines in passthrough', async () => {
    const { gateway, text } = await stream('passthrough', endless(`: ${'c'.repeat(1000)}\n`));
    const received = events(text);
    expect(received).toHaveLength(2);
    expect(received[1]).toContain(`more than ${LIMIT} bytes`);
    expect(text).not.toContain('cccccccccc');
    await released(gateway);
  });

  it('is read from the config file, with a 16 MiB default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-limits-'));
    const route = 'routes:\n  - match: "openai/*"\n    provider: openai\n    apiKey: test\n';
    writeFileSync(join(dir, 'default.yaml'), route);
    writeFileSync(join(dir, 'set.yaml'), `limits:\n  maxEventBytes: 1000\n${route}`);
    expect((await loadGatewayConfig(join(dir, 'default.yaml'), {})).limits.maxEventBytes).toBe(16 * 1024 * 1024);
    expect((await loadGatewayConfig(join(dir, 'set.yaml'), {})).limits.maxEventBytes).toBe(1000);
    writeFileSync(join(dir, 'bad.yaml'), `limits:\n  maxEventBytes: 0\n${route}`);
    await expect(loadGatewayConfig(join(dir, 'bad.yaml'), {})).rejects.toThrow(/maxEventBytes/);
  });
});
