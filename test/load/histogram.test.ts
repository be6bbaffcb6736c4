import { describe, expect, it } from 'vitest';
import { createHistogram, decodeHistogram, encodeHistogram, mergeHistograms, recordNs, summarizeMs } from '../../src/load/histogram.ts';

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
