// A slow client slows the upstream read instead of growing a buffer in the gateway: while the
// client does not read, the upstream can only get a bounded distance ahead of it (socket buffers),
// and once it reads again it gets every byte, in order (the idle timeout does not fire meanwhile).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette, type Cassette, type ReplayChunk } from '../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { faultGatewayConfig } from '../../src/scenario/kinds/fault/run.ts';
import { readOpenAIStream } from '../../src/checks/semantic.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const base = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const EVENTS = 24_000;
const word = 'x'.repeat(1_000);
const TOTAL_BYTES = EVENTS * 1_060; // about 25 MB
const IDLE_MS = 1_000;

/** A long stream of ~1 KB content events, one read each. */
function bigStream(): { cassette: Cassette; chunks: ReplayChunk[]; sentUpTo: () => number } {
  const head = base.response.chunks[0]!;
  const event = Buffer.from(
    `data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${word}"},"finish_reason":null}]}\n\n`,
  );
  const list: ReplayChunk[] = [
    head,
    ...Array.from({ length: EVENTS }, () => ({ bytes: event, at: 0 })),
    { bytes: Buffer.from('data: [DONE]\n\n'), at: 0 },
  ];
  let highest = 0;
  let bytes = 0;
  // Counts how far the replay got: it reads chunks in order, one index at a time.
  const chunks = new Proxy(list, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key) && Number(key) > highest && Number(key) < target.length) {
        highest = Number(key);
        bytes += target[highest]!.bytes.length;
      }
      return Reflect.get(target, key);
    },
  });
  return { cassette: { ...base, response: { ...base.response, chunks: list } }, chunks, sentUpTo: () => bytes };
}

/** Waits until the upstream stops moving ahead (it is blocked, or done). */
async function plateau(sentUpTo: () => number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 40 && sentUpTo() !== last; i++) {
    last = sentUpTo();
    await sleep(150);
  }
  return sentUpTo();
}

describe.each(['passthrough', 'normalize'] as const)('backpressure (%s)', (mode) => {
  let replay: ReplayUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    replay = await startReplayUpstream();
    // Waiting on a slow client must not count as upstream silence: the client below pauses longer
    // than this idle clock. (Not shorter: once the client reads again, a starved CI machine can
    // leave the upstream silent for a few hundred ms, and that would be a real idle timeout.)
    // The whole stream (25 MB, and the pause) may take longer than the harness's 5 s total on a
    // loaded machine: the total clock is not what this test is about.
    gateway = await startGateway(faultGatewayConfig(replay, mode, { timeouts: { idleMs: IDLE_MS, totalMs: 60_000 }, routes: [] }, 1));
  });
  afterAll(async () => {
    await gateway.close();
    await replay.close();
  });

  it('holds the upstream back while the client does not read', async () => {
    const big = bigStream();
    const exchange = replay.arm('openai', { cassette: big.cassette, chunks: big.chunks, speed: 0 });
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ ...base.request.body, model: 'openai/gpt-5-nano' }),
    });
    const reader = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const parts: Buffer[] = [];
    let received = 0;
    const first = await reader.next();
    parts.push(first.value as Buffer);
    received += (first.value as Buffer).length;

    // The client reads nothing until the upstream stops: only socket buffers may lie between them.
    const pausedAt = performance.now();
    const ahead = (await plateau(big.sentUpTo)) - received;
    expect(ahead, `upstream ran ${ahead} bytes ahead of a client that did not read`).toBeLessThan(TOTAL_BYTES / 2);
    expect(gateway.bufferedBytes()).toBeLessThan(64 * 1024);
    // Stay paused past the idle clock: the stream must survive it.
    await sleep(Math.max(0, IDLE_MS * 1.5 - (performance.now() - pausedAt)));

    for (let r = await reader.next(); !r.done; r = await reader.next()) parts.push(r.value as Buffer);
    const all = Buffer.concat(parts);
    const seen = readOpenAIStream(all);
    expect(seen.sawDone, `the stream ended: …${all.subarray(-300).toString()}`).toBe(true);
    expect(seen.text.length).toBe(EVENTS * word.length);
    expect((await exchange).completed).toBe(true);
  });
});
