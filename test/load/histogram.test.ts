import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  medianCi95HalfWidthMs,
  mergeHistograms,
  recordNs,
  summarizeMs,
} from '../../src/load/histogram.ts';

describe('latency histograms', () => {
  it('keeps sub-millisecond resolution (integer ns, not integer ms)', () => {
    const h = createHistogram();
    for (let i = 0; i < 100; i++) recordNs(h, 250_000); // 0.25 ms
    const s = summarizeMs(h);
    expect(s.p50).toBeGreaterThan(0.2499);
    expect(s.p50).toBeLessThan(0.2504);
  });

  it('gives percentiles within 0.1% of exact values', () => {
    const h = createHistogram();
    for (let i = 1; i <= 10_000; i++) recordNs(h, i * 1_000); // 1 µs … 10 ms
    const s = summarizeMs(h);
    expect(s.count).toBe(10_000);
    expect(s.p50).toBeCloseTo(5, 2);
    expect(s.p90).toBeCloseTo(9, 2);
    expect(s.p99).toBeCloseTo(9.9, 1);
    expect(s.max).toBeCloseTo(10, 2);
  });

  it('merges histograms from several workers into the same percentiles as one', () => {
    const whole = createHistogram();
    const parts = [createHistogram(), createHistogram(), createHistogram()];
    for (let i = 0; i < 3000; i++) {
      const v = (i * 7919) % 5_000_000;
      recordNs(whole, v);
      recordNs(parts[i % 3]!, v);
    }
    const merged = mergeHistograms(parts);
    expect(merged.totalCount).toBe(whole.totalCount);
    for (const p of [50, 90, 99, 99.9]) expect(merged.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p));
  });

  it('survives encoding (for shipping between processes) and values beyond the initial range', () => {
    const h = createHistogram();
    recordNs(h, 1);
    recordNs(h, 5_000_000_000_000); // > one hour: the histogram resizes
    const back = decodeHistogram(encodeHistogram(h));
    expect(back.totalCount).toBe(2);
    expect(back.maxValue).toBeGreaterThan(4_990_000_000_000);
  });

  it('clamps negative durations to zero and accepts bigint', () => {
    const h = createHistogram();
    recordNs(h, -5);
    recordNs(h, 3_000_000n);
    expect(h.totalCount).toBe(2);
    expect(h.getValueAtPercentile(1)).toBe(0);
  });
});

describe('percentiles never pass the maximum', () => {
  it('a value in a wide bucket gives p99 ≤ max', () => {
    const h = createHistogram();
    // One large value: HDR reports a percentile as its bucket's top, which lies above the value.
    recordNs(h, 42_902_123);
    const s = summarizeMs(h);
    expect(s.max).toBeCloseTo(42.902123, 6);
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.p50).toBeLessThanOrEqual(s.max);
  });
});

describe('the 95% confidence interval of the median', () => {
  it('is about 1.96 · L / (2√n) wide each way for n values spread evenly over L, halving with 4× the values', () => {
    const spread = (n: number) => {
      const h = createHistogram();
      for (let i = 1; i <= n; i++) recordNs(h, (i * 100e6) / n); // 0–100 ms
      return medianCi95HalfWidthMs(h);
    };
    expect(spread(400)).toBeCloseTo((1.96 * 100) / (2 * 20), 0); // 4.9 ms
    expect(spread(1600) / spread(400)).toBeCloseTo(0.5, 1);
  });

  it('holds the true median in about 95% of samples of a skewed (exponential) latency', () => {
    let seed = 12345;
    const uniform = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed + 0.5) / 2 ** 32;
    };
    const trueMedianMs = 20 * Math.LN2; // exponential, mean 20 ms
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const h = createHistogram();
      for (let i = 0; i < 300; i++) recordNs(h, -Math.log(uniform()) * 20e6);
      const median = summarizeMs(h).p50;
      if (Math.abs(median - trueMedianMs) <= medianCi95HalfWidthMs(h)) covered++;
    }
    // (Seeded, so the same every run.) A binomial(400, 0.95) lands in 0.92–0.98 with > 99%
    // probability; an interval twice
    // too wide covers ~100%, half too narrow ~68%.
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.98);
  });

  it('is unknown (infinite) below two values', () => {
    const h = createHistogram();
    expect(medianCi95HalfWidthMs(h)).toBe(Number.POSITIVE_INFINITY);
    recordNs(h, 1e6);
    expect(medianCi95HalfWidthMs(h)).toBe(Number.POSITIVE_INFINITY);
  });
});
