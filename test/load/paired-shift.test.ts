// The calibration's estimator: pairs of neighbouring launches, and the median of their differences
// with a distribution-free 95% interval. Seeded random data, so every run is the same.
import { describe, expect, it } from 'vitest';
import { medianWithInterval, pairedDifferencesMs, type LaunchedSample } from '../../src/load/paired-shift.ts';

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

describe('pairs of neighbouring launches', () => {
  it('pairs each marked launch with the unmarked one next to it, in launch order, whatever order they finished in', () => {
    const samples: LaunchedSample[] = [
      { atNs: 30, valueNs: 9e6, marked: true },
      { atNs: 10, valueNs: 5e6, marked: false },
      { atNs: 20, valueNs: 8e6, marked: true },
      { atNs: 40, valueNs: 6e6, marked: false },
      { atNs: 50, valueNs: 1e6, marked: false }, // no neighbour left: unpaired
    ];
    expect(pairedDifferencesMs(samples)).toEqual([3, 3]);
  });

  it('skips two neighbours of the same kind (a failed or cut request left a gap)', () => {
    const samples: LaunchedSample[] = [
      { atNs: 1, valueNs: 1e6, marked: false },
      { atNs: 2, valueNs: 2e6, marked: false },
      { atNs: 3, valueNs: 7e6, marked: true },
    ];
    expect(pairedDifferencesMs(samples)).toEqual([5]);
  });

  it('sees a 3 ms shift through a trend 30× its size, which the difference of two medians cannot resolve', () => {
    // A ramp: TTFT climbs from 0 to 100 ms over the phase, with 2 ms of noise per request.
    const rnd = seeded(7);
    const samples: LaunchedSample[] = [];
    for (let i = 0; i < 600; i++) {
      const trend = (i / 600) * 100;
      const marked = i % 2 === 1;
      samples.push({ atNs: i, valueNs: (trend + (marked ? 3 : 0) + rnd() * 2) * 1e6, marked });
    }
    const paired = medianWithInterval(pairedDifferencesMs(samples));
    expect(paired.count).toBe(300);
    expect(Math.abs(paired.median - 3)).toBeLessThan(0.3);
    expect(paired.ci95HalfWidth).toBeLessThan(0.5);
    // The same data as two unpaired halves: each median is known only to about ±5 ms.
    const half = (m: boolean) => medianWithInterval(samples.filter((x) => x.marked === m).map((x) => x.valueNs / 1e6));
    expect(Math.hypot(half(true).ci95HalfWidth, half(false).ci95HalfWidth)).toBeGreaterThan(5);
  });
});

describe('the median and its 95% interval', () => {
  it('is about 1.96 · L / (2√n) wide each way for n values spread evenly over L, halving with 4× the values', () => {
    const spread = (n: number) => medianWithInterval(Array.from({ length: n }, (_, i) => ((i + 1) * 100) / n));
    expect(spread(400).ci95HalfWidth).toBeCloseTo((1.96 * 100) / (2 * 20), 0); // 4.9
    expect(spread(1600).ci95HalfWidth / spread(400).ci95HalfWidth).toBeCloseTo(0.5, 1);
    expect(medianWithInterval([3, 1, 2]).median).toBe(2);
    expect(medianWithInterval([4, 1, 2, 3]).median).toBe(2.5);
  });

  it('holds the true median in about 95% of samples of a skewed (exponential) latency', () => {
    const rnd = seeded(12345);
    const trueMedian = 20 * Math.LN2; // exponential, mean 20 ms
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const values = Array.from({ length: 300 }, () => -Math.log(rnd()) * 20);
      const m = medianWithInterval(values);
      if (Math.abs(m.median - trueMedian) <= m.ci95HalfWidth) covered++;
    }
    // A binomial(400, 0.95) lands in 0.92–0.98 with > 99% probability; an interval twice too
    // wide covers ~100%, half as wide ~68%.
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.98);
  });

  it('is unknown (infinite) below two values', () => {
    expect(medianWithInterval([]).ci95HalfWidth).toBe(Number.POSITIVE_INFINITY);
    expect(medianWithInterval([]).count).toBe(0);
    expect(medianWithInterval([5]).ci95HalfWidth).toBe(Number.POSITIVE_INFINITY);
  });
});
