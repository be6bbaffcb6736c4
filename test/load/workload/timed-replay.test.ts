// Generated streams shaped per request, served by a real replay upstream on 127.0.0.1: each
// answer has the length the request asked for, its chunks are scheduled by the timing model, and
// the stream still carries every numbered token in order. Timing is checked as schedule data and
// as a lower bound on the wall time (a chunk never leaves before its offset), never as a speed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSequence } from '../../../src/cassette/synthetic.ts';
import { syntheticCassette } from '../../../src/cassette/synthetic.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { chunkOffsets, type TimingModel } from '../../../src/load/workload/timing-model.ts';
import { requestedTokens, shapedChooser, timedChunks } from '../../../src/load/workload/timed-replay.ts';

const timing: TimingModel = { ttftMs: { type: 'fixed', value: 40 }, itlMs: { type: 'uniform', min: 2, max: 6 }, jitter: 0.1, seed: 3 };

let replay: ReplayUpstream;
beforeAll(async () => {
  replay = await startReplayUpstream();
  replay.choose('openai', shapedChooser({ tokens: 5, gapMs: 0 }, { tokensFromRequest: true, timing }, 0));
});
afterAll(() => replay.close());

async function ask(body: Record<string, unknown>): Promise<{ texts: string[]; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${replay.baseUrl('openai')}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }], ...body }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const texts = text
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => JSON.parse(e.slice(6)) as { choices: Array<{ delta?: { content?: string } }> })
    .map((c) => c.choices[0]?.delta?.content)
    .filter((t): t is string => typeof t === 'string' && t !== '');
  return { texts, ms: performance.now() - started };
}

describe('shaped generated streams', () => {
  it('reads the requested length from max_completion_tokens or max_tokens', () => {
    expect(requestedTokens(Buffer.from('{"max_tokens":12}'))).toBe(12);
    expect(requestedTokens(Buffer.from('{"max_tokens":12,"max_completion_tokens":7}'))).toBe(7);
    expect(requestedTokens(Buffer.from('{"max_tokens":0}'))).toBeNull();
    expect(requestedTokens(Buffer.from('not json'))).toBeNull();
  });

  it('schedules the role chunk and token 1 at TTFT, token k at its offset, the ending with the last token', () => {
    const c = syntheticCassette({ tokens: 6, gapMs: 0 });
    const chunks = timedChunks(c, timing, 9);
    const offsets = chunkOffsets(timing, 9, 6);
    expect(chunks.map((x) => x.at)).toEqual([offsets[0], ...offsets, offsets[5], offsets[5], offsets[5]]);
    expect(chunks.map((x) => x.bytes)).toEqual(c.response.chunks.map((x) => x.bytes));
  });

  it('answers each request with the tokens it asked for, all in order, no sooner than the schedule', async () => {
    for (const n of [3, 17, 40]) {
      const { texts, ms } = await ask({ max_tokens: n });
      expect(texts).toHaveLength(n);
      expect(checkSequence(texts, n)).toEqual({ lost: 0, reordered: 0, corrupted: 0 });
      // TTFT 40 ms × at least 0.9 (jitter) plus n − 1 gaps of at least 2 × 0.9 ms.
      expect(ms).toBeGreaterThanOrEqual(0.9 * (40 + 2 * (n - 1)) - 1);
    }
    // Without a length in the request: the generated stream's own.
    expect((await ask({})).texts).toHaveLength(5);
  });
});
