import { describe, expect, it } from 'vitest';
import { chunkDelays, chunkOffsets, MAX_DELAY_MS, type TimingModel } from '../../../src/load/workload/timing-model.ts';

const base: TimingModel = {
  ttftMs: { type: 'fixed', value: 300 },
  itlMs: { type: 'fixed', value: 20 },
  jitter: 0,
  seed: 1,
};

describe('timing model', () => {
  it('gives TTFT then one gap per further token', () => {
    expect(chunkDelays(base, 0, 4)).toEqual([300, 20, 20, 20]);
    expect(chunkOffsets(base, 0, 4)).toEqual([300, 320, 340, 360]);
    expect(chunkDelays(base, 0, 1)).toEqual([300]);
  });

  it('jitter scales every delay of one request by the same factor within [1 − j, 1 + j]', () => {
    const m = { ...base, jitter: 0.5 };
    const factors = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = chunkDelays(m, i, 5);
      const f = d[0]! / 300;
      expect(f).toBeGreaterThanOrEqual(0.5);
      expect(f).toBeLessThanOrEqual(1.5);
      for (const gap of d.slice(1)) expect(gap / 20).toBeCloseTo(f, 9);
      factors.add(Number(f.toFixed(6)));
    }
    expect(factors.size).toBeGreaterThan(150);
  });

  it('stalls add their duration to about `probability` of the gaps', () => {
    const m: TimingModel = { ...base, stalls: { probability: 0.1, ms: { type: 'fixed', value: 1000 } } };
    let stalls = 0;
    let gaps = 0;
    for (let i = 0; i < 50; i++) {
      for (const gap of chunkDelays(m, i, 201).slice(1)) {
        gaps++;
        if (gap === 1020) stalls++;
        else expect(gap).toBe(20);
      }
    }
    expect(stalls / gaps).toBeGreaterThan(0.08);
    expect(stalls / gaps).toBeLessThan(0.12);
  });

  it('is deterministic per (seed, request index), and requests differ from each other', () => {
    const m: TimingModel = {
      ...base,
      ttftMs: { type: 'lognormal', median: 300, sigma: 0.5, min: 0 },
      itlMs: { type: 'uniform', min: 10, max: 30 },
    };
    expect(chunkDelays(m, 3, 50)).toEqual(chunkDelays(m, 3, 50));
    expect(chunkDelays(m, 3, 50)).not.toEqual(chunkDelays(m, 4, 50));
    expect(chunkDelays({ ...m, seed: 2 }, 3, 50)).not.toEqual(chunkDelays(m, 3, 50));
  });

  it('bounds every delay (a heavy tail cannot hang a stream for hours)', () => {
    const m: TimingModel = { ...base, ttftMs: { type: 'fixed', value: 1e9 } };
    expect(chunkDelays(m, 0, 1)).toEqual([MAX_DELAY_MS]);
  });
});
