import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseYamlText } from '../../src/base/yaml-input.ts';
import {
  classifyRequest,
  createSloTally,
  itlStatistic,
  mergeSloTallies,
  sloFigures,
  sloSchema,
  tallyRequest,
  type RequestTimings,
  type Slo,
} from '../../src/checks/slo.ts';

const ms = (n: number) => n * 1e6;
const req = (ttft: number | null, gaps: number[], e2e: number | null, failed = false): RequestTimings => ({
  failed,
  ttftNs: ttft === null ? null : ms(ttft),
  itlNs: gaps.map(ms),
  e2eNs: e2e === null ? null : ms(e2e),
});
const slo: Slo = { ttft_ms: 500, itl_ms: 50, e2e_ms: 10_000, itl_statistic: 'p95' };

describe('SLO classification', () => {
  it('a request meets the SLO when every objective holds (bounds are inclusive)', () => {
    expect(classifyRequest(slo, req(500, [50, 50], 10_000))).toEqual({ met: true, missed: { ttft: false, itl: false, e2e: false } });
    expect(classifyRequest(slo, req(501, [10], 900)).missed).toEqual({ ttft: true, itl: false, e2e: false });
    expect(classifyRequest(slo, req(100, [10], 10_001)).missed).toEqual({ ttft: false, itl: false, e2e: true });
  });

  it("ITL bounds the request's p95 gap: one hiccup in 40 gaps passes, three do not", () => {
    const one = [...Array(39).fill(10), 900];
    const three = [...Array(37).fill(10), 900, 900, 900];
    expect(classifyRequest(slo, req(100, one, 2000)).met).toBe(true);
    expect(classifyRequest(slo, req(100, three, 2000)).missed.itl).toBe(true);
    expect(classifyRequest({ ...slo, itl_statistic: 'max' }, req(100, one, 2000)).missed.itl).toBe(true);
    expect(classifyRequest({ ...slo, itl_statistic: 'mean' }, req(100, one, 2000)).missed.itl).toBe(false); // mean 32.25
  });

  it('nearest-rank statistics over a known list', () => {
    const gaps = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(itlStatistic(gaps, 'p95')).toBe(95);
    expect(itlStatistic(gaps, 'p99')).toBe(99);
    expect(itlStatistic(gaps, 'max')).toBe(100);
    expect(itlStatistic(gaps, 'mean')).toBe(50.5);
  });

  it('a failed request misses as a whole but adds to no per-objective count; no first token misses ttft', () => {
    expect(classifyRequest(slo, req(9000, [], 9000, true))).toEqual({ met: false, missed: { ttft: false, itl: false, e2e: false } });
    expect(classifyRequest(slo, req(null, [], 300)).missed.ttft).toBe(true);
    // Only the objectives given are checked.
    expect(classifyRequest({ e2e_ms: 1000, itl_statistic: 'p95' }, req(9000, [900], 800)).met).toBe(true);
  });

  it('goodput, attainment and miss counts from a known set of requests', () => {
    const a = createSloTally();
    for (const r of [req(100, [10], 500), req(100, [10], 500), req(900, [10], 500), req(100, [99, 99], 20_000), req(1, [], 1, true)])
      tallyRequest(a, classifyRequest(slo, r));
    const b = createSloTally();
    tallyRequest(b, classifyRequest(slo, req(100, [10], 500)));
    const merged = mergeSloTallies([a, b]);
    expect(merged).toEqual({ requests: 6, met: 3, missedTtft: 1, missedItl: 1, missedE2e: 1 });
    expect(sloFigures(merged, 2)).toEqual({
      goodput_rps: 1.5,
      slo_attainment: 0.5,
      slo_missed_ttft: 1,
      slo_missed_itl: 1,
      slo_missed_e2e: 1,
    });
    expect(sloFigures(createSloTally(), 0)).toMatchObject({ goodput_rps: 0, slo_attainment: 0 });
  });

  it('validates the scenario field (file and line)', () => {
    const schema = z.object({ name: z.string(), slo: sloSchema }).strict();
    expect(parseYamlText('s.yaml', 'name: x\nslo: { ttft_ms: 500 }', schema).value.slo).toEqual({ ttft_ms: 500, itl_statistic: 'p95' });
    expect(() => parseYamlText('s.yaml', 'name: x\nslo:\n  ttft_ms: -5', schema)).toThrow(/s\.yaml:3: slo\.ttft_ms: Too small/);
    expect(() => parseYamlText('s.yaml', 'name: x\nslo: {}', schema)).toThrow(/s\.yaml:2: slo: slo: name at least one/);
    expect(() => parseYamlText('s.yaml', 'name: x\nslo:\n  itl_ms: 5\n  itl_statistic: p50', schema)).toThrow(
      /s\.yaml:4: slo\.itl_statistic/,
    );
    expect(() => parseYamlText('s.yaml', 'name: x\nslo: { ttft: 5 }', schema)).toThrow(/s\.yaml:2: slo: Unrecognized key/);
  });
});
