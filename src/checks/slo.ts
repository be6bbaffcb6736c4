// Service-level objectives per request: `slo: { ttft_ms: 500, itl_ms: 50, e2e_ms: 10000 }`. Each
// measured request either met every objective it is held to or missed; goodput is the rate of
// requests that met them all, attainment the fraction. A request's ITL is one figure per
// request: the 95th percentile of its gaps between tokens by default (a single hiccup in a long
// answer does not fail it; a request that is slow throughout does), or the max or mean if chosen.
import { z } from 'zod';

export const ITL_STATISTICS = ['p95', 'p99', 'max', 'mean'] as const;
export type ItlStatistic = (typeof ITL_STATISTICS)[number];

export interface Slo {
  ttft_ms?: number | undefined;
  itl_ms?: number | undefined;
  e2e_ms?: number | undefined;
  /** Which per-request ITL figure `itl_ms` bounds (default p95). */
  itl_statistic: ItlStatistic;
}

export const sloSchema = z
  .object({
    ttft_ms: z.number().positive().optional().describe('Time to first token, ms: a request whose TTFT is above this missed.'),
    itl_ms: z.number().positive().optional().describe("Inter-token latency, ms: bounds the request's itl_statistic."),
    e2e_ms: z.number().positive().optional().describe('Whole request, ms.'),
    itl_statistic: z
      .enum(ITL_STATISTICS)
      .default('p95')
      .describe("Which figure of a request's gaps itl_ms bounds (p95 by default: one hiccup does not fail a long answer)."),
  })
  .strict()
  .refine((s) => s.ttft_ms !== undefined || s.itl_ms !== undefined || s.e2e_ms !== undefined, {
    message: 'slo: name at least one of ttft_ms, itl_ms, e2e_ms',
  })
  .describe('Per-request objectives: goodput_rps, slo_attainment and slo_missed_* are measured against them.');

/** What classification needs of one request (ns, as the stream analysis measures them). */
export interface RequestTimings {
  /** The request failed (an error class): it missed, whatever its timings. */
  failed: boolean;
  ttftNs: number | null;
  /** Gaps between content events, ns. */
  itlNs: readonly number[];
  e2eNs: number | null;
}

export interface SloVerdict {
  met: boolean;
  missed: { ttft: boolean; itl: boolean; e2e: boolean };
}

/**
 * One request against the SLO. A failed request misses as a whole (it is not goodput), but its
 * per-objective misses count only figures it actually measured over the bound, so slo_missed_*
 * say which objective binds and the errors figure says how many failed. A request that never
 * produced a first token (no TTFT) misses ttft; one with fewer than two tokens has no ITL to miss.
 */
export function classifyRequest(slo: Slo, r: RequestTimings): SloVerdict {
  const ms = (ns: number) => ns / 1e6;
  const ttft = slo.ttft_ms !== undefined && !r.failed && (r.ttftNs === null || ms(r.ttftNs) > slo.ttft_ms);
  const itlValue = r.itlNs.length > 0 ? itlStatistic(r.itlNs, slo.itl_statistic) : null;
  const itl = slo.itl_ms !== undefined && !r.failed && itlValue !== null && ms(itlValue) > slo.itl_ms;
  const e2e = slo.e2e_ms !== undefined && !r.failed && r.e2eNs !== null && ms(r.e2eNs) > slo.e2e_ms;
  return { met: !r.failed && !ttft && !itl && !e2e, missed: { ttft, itl, e2e } };
}

/** The request's ITL figure: nearest-rank percentile, max or mean of its gaps, ns. */
export function itlStatistic(gaps: readonly number[], stat: ItlStatistic): number {
  if (gaps.length === 0) return 0;
  if (stat === 'mean') return gaps.reduce((a, b) => a + b, 0) / gaps.length;
  if (stat === 'max') return Math.max(...gaps);
  const sorted = [...gaps].sort((a, b) => a - b);
  const p = stat === 'p95' ? 0.95 : 0.99;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Counts over a phase (mergeable: add the fields). */
export interface SloTally {
  requests: number;
  met: number;
  missedTtft: number;
  missedItl: number;
  missedE2e: number;
}

export function createSloTally(): SloTally {
  return { requests: 0, met: 0, missedTtft: 0, missedItl: 0, missedE2e: 0 };
}

export function tallyRequest(tally: SloTally, verdict: SloVerdict): void {
  tally.requests++;
  if (verdict.met) tally.met++;
  if (verdict.missed.ttft) tally.missedTtft++;
  if (verdict.missed.itl) tally.missedItl++;
  if (verdict.missed.e2e) tally.missedE2e++;
}

export function mergeSloTallies(parts: readonly SloTally[]): SloTally {
  const out = createSloTally();
  for (const p of parts) {
    out.requests += p.requests;
    out.met += p.met;
    out.missedTtft += p.missedTtft;
    out.missedItl += p.missedItl;
    out.missedE2e += p.missedE2e;
  }
  return out;
}

export interface SloFigures {
  goodput_rps: number;
  /** Fraction of measured requests that met every objective (0 when none was measured: nothing shown to meet them). */
  slo_attainment: number;
  slo_missed_ttft: number;
  slo_missed_itl: number;
  slo_missed_e2e: number;
}

/** The measurements, over a measured window of `seconds`. */
export function sloFigures(tally: SloTally, seconds: number): SloFigures {
  return {
    goodput_rps: seconds > 0 ? tally.met / seconds : 0,
    slo_attainment: tally.requests > 0 ? tally.met / tally.requests : 0,
    slo_missed_ttft: tally.missedTtft,
    slo_missed_itl: tally.missedItl,
    slo_missed_e2e: tally.missedE2e,
  };
}

export function describeSlo(slo: Slo): string {
  const parts: string[] = [];
  if (slo.ttft_ms !== undefined) parts.push(`TTFT ≤ ${slo.ttft_ms} ms`);
  if (slo.itl_ms !== undefined) parts.push(`ITL ${slo.itl_statistic} ≤ ${slo.itl_ms} ms`);
  if (slo.e2e_ms !== undefined) parts.push(`E2E ≤ ${slo.e2e_ms} ms`);
  return parts.join(', ');
}
