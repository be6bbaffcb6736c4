// A load case's distributions and time series in the compact form summary.json carries for the
// HTML report (src/checks/load-detail.ts): HDR percentiles at log-spaced points and log-grid bins
// per phase and timing, the driver's own counters sampled over each phase (through the Progress
// hook every phase already calls), and the gateway process's samples, all thinned to bounded sizes.
import type { DriverSeries, GatewaySeries, LatencyDistribution, LoadDetail, LoadPhaseDetail } from '../checks/load-detail.ts';
import type { Histogram } from './histogram.ts';
import type { PhaseResult } from './phase.ts';
import type { Progress, ProgressSnapshot } from './progress.ts';
import type { ServerSample } from './server-messages.ts';

/** The timings charted: the ones a reader of a streaming benchmark looks at first. */
const CHARTED = ['ttfb', 'ttft', 'itl', 'e2e'] as const;
/** p0, p50, and 100·(1 − 10^−k) for k = 0.1 … 5 (p20.6 … p99.999): dense where the tail is. */
export const PERCENTILE_POINTS: readonly number[] = [
  0,
  50,
  ...Array.from({ length: 50 }, (_, i) => Number((100 * (1 - 10 ** (-(i + 1) / 10))).toFixed(4))),
].sort((a, b) => a - b);
const BINS_PER_DECADE = 10;
/** At most this many points in a time series (longer runs are thinned evenly). */
const MAX_POINTS = 200;
const SAMPLE_EVERY_MS = 250;

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;
const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** A histogram (ns) as percentile points and log-grid bins, in ms. */
export function latencyDistribution(h: Histogram): LatencyDistribution {
  if (h.totalCount === 0) return { count: 0, percentiles: [], bins: [] };
  const max = h.maxValue;
  const ms = (ns: number) => round(ns / 1e6, 6);
  const percentiles: Array<[number, number]> = PERCENTILE_POINTS.map((p) => [
    p,
    ms(p === 0 ? h.minNonZeroValue : Math.min(h.getValueAtPercentile(p), max)),
  ]);
  percentiles.push([100, ms(max)]);
  // Every recorded value (HDR's own buckets), re-binned onto a fixed log grid shared by all phases.
  const counts = new Map<number, number>();
  let zeros = 0;
  const it = (h as unknown as { recordedValuesIterator: RecordedValues }).recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    if (v.valueIteratedTo === 0) {
      zeros += v.countAtValueIteratedTo;
      continue;
    }
    const valueMs = v.valueIteratedTo / 1e6;
    const bin = Math.floor(Math.log10(valueMs) * BINS_PER_DECADE);
    counts.set(bin, (counts.get(bin) ?? 0) + v.countAtValueIteratedTo);
  }
  const edge = (i: number) => round(10 ** (i / BINS_PER_DECADE), 6);
  const bins = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([i, n]): [number, number, number] => [edge(i), edge(i + 1), n]);
  return { count: h.totalCount, percentiles, bins, ...(zeros ? { zeros } : {}) };
}

interface RecordedValues {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}

interface DriverPoint extends ProgressSnapshot {
  atMs: number;
}

/**
 * A Progress that also samples each phase's counters (the same snapshot the progress line shows)
 * every 250 ms, so the report can chart events/s, open streams and errors over the run.
 */
export function recordingProgress(inner: Progress): { progress: Progress; points: DriverPoint[] } {
  const points: DriverPoint[] = [];
  let timer: NodeJS.Timeout | undefined;
  const progress: Progress = {
    start(label, sample) {
      inner.start(label, sample);
      const take = () => points.push({ atMs: hrMs(), ...sample() });
      take();
      timer = setInterval(take, SAMPLE_EVERY_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      inner.stop();
    },
  };
  return { progress, points };
}

function inWindows(atMs: number, windows: ReadonlyArray<readonly [number, number]>): boolean {
  return windows.some(([from, to]) => atMs >= from && atMs <= to);
}

/** Every k-th item so that at most `max` remain (the last always kept). */
function thin<T>(items: readonly T[], max = MAX_POINTS): T[] {
  if (items.length <= max) return [...items];
  const step = Math.ceil(items.length / max);
  const out = items.filter((_, i) => i % step === 0);
  if (out[out.length - 1] !== items[items.length - 1]) out.push(items[items.length - 1]!);
  return out;
}

function driverSeries(points: readonly DriverPoint[], windows: ReadonlyArray<readonly [number, number]>, t0: number): DriverSeries {
  const mine = points.filter((p) => inWindows(p.atMs, windows));
  const rows = mine.map((p, i) => {
    const prev = mine[i - 1];
    // A new round starts its counters at zero: no rate across the gap.
    const rate = prev && p.events >= prev.events && p.atMs > prev.atMs ? ((p.events - prev.events) / (p.atMs - prev.atMs)) * 1000 : 0;
    return { t: (p.atMs - t0) / 1000, rate, open: p.activeStreams, errors: p.errors };
  });
  const kept = thin(rows);
  return {
    t: kept.map((r) => round(r.t, 3)),
    eventsPerS: kept.map((r) => round(r.rate, 1)),
    openStreams: kept.map((r) => r.open),
    errors: kept.map((r) => r.errors),
  };
}

function gatewaySeries(samples: readonly ServerSample[], from: number, to: number, t0: number): GatewaySeries {
  const kept = thin(samples.filter((s) => s.atMs >= from && s.atMs <= to));
  return {
    t: kept.map((s) => round((s.atMs - t0) / 1000, 3)),
    rssMb: kept.map((s) => round(s.rss / 1e6, 2)),
    heapMb: kept.map((s) => round(s.heapUsed / 1e6, 2)),
    cpu: kept.map((s) => round(s.cpu, 3)),
  };
}

export interface NamedPhase {
  /** "direct", "null-proxy", "gateway" */
  phase: string;
  result: PhaseResult;
}

/** The case's chartable detail: each phase's distributions and series, and the gateway's gauges. */
export function loadDetail(
  phases: readonly NamedPhase[],
  points: readonly DriverPoint[],
  gatewaySamples?: readonly ServerSample[],
): LoadDetail {
  const windows = phases.flatMap((p) => p.result.windows);
  const t0 = Math.min(...windows.map(([from]) => from));
  const t1 = Math.max(...windows.map(([, to]) => to));
  const detail: LoadDetail = {
    phases: phases.map(
      ({ phase, result }): LoadPhaseDetail => ({
        phase,
        timings: Object.fromEntries(CHARTED.map((t) => [t, latencyDistribution(result.stats.timings[t])])),
        series: driverSeries(points, result.windows, t0),
      }),
    ),
  };
  if (gatewaySamples?.length) detail.gateway = gatewaySeries(gatewaySamples, t0, t1, t0);
  return detail;
}
