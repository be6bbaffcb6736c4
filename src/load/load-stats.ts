// What a load phase measured, accumulated stream by stream: HDR histograms of the per-stream
// timings and counters. Mergeable (several drivers or workers add up) and serialisable.
import { ERROR_CLASSES, type ErrorClass } from '../client/error-class.ts';
import { frameMismatches } from '../client/frames.ts';
import { createHistogram, decodeHistogram, encodeHistogram, recordNs, type Histogram } from './histogram.ts';
import type { StreamRecord } from '../checks/stream-check.ts';

export const TIMING_NAMES = ['ttfb', 'ttfe', 'ttft', 'itl', 'tpot', 'e2e'] as const;
export type TimingName = (typeof TIMING_NAMES)[number];

export interface LoadStats {
  /** ns histograms of the per-stream timings (ITL: every gap of every stream). */
  timings: Record<TimingName, Histogram>;
  /** Per-stream tokens/s, recorded ×1000 (HDR keeps integers). */
  streamTokensPerSecond: Histogram;
  /** Streams that completed (failed ones included), warm-up excluded. */
  streams: number;
  ok: number;
  errors: Record<ErrorClass, number>;
  /** A sample message per error class. */
  errorSamples: Partial<Record<ErrorClass, string>>;
  cut: number;
  events: number;
  tokens: number;
  bytes: number;
  stalls: number;
  frames: { checked: number; mismatchedStreams: number; lost: number; corrupted: number; reordered: number; extra: number };
  /** The first fidelity mismatch seen, described (null when every stream matched). */
  mismatchSample: string | null;
  /** The measured window: earliest origin and latest end (ns, hrtime). */
  windowStartNs: bigint | null;
  windowEndNs: bigint | null;
}

export function createLoadStats(): LoadStats {
  return {
    timings: Object.fromEntries(TIMING_NAMES.map((n) => [n, createHistogram()])) as Record<TimingName, Histogram>,
    streamTokensPerSecond: createHistogram(),
    streams: 0,
    ok: 0,
    errors: Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0])) as Record<ErrorClass, number>,
    errorSamples: {},
    cut: 0,
    events: 0,
    tokens: 0,
    bytes: 0,
    stalls: 0,
    frames: { checked: 0, mismatchedStreams: 0, lost: 0, corrupted: 0, reordered: 0, extra: 0 },
    mismatchSample: null,
    windowStartNs: null,
    windowEndNs: null,
  };
}

export function recordStream(stats: LoadStats, record: StreamRecord, origin: bigint, end: bigint): void {
  const t = record.timings;
  if (stats.windowStartNs === null || origin < stats.windowStartNs) stats.windowStartNs = origin;
  if (stats.windowEndNs === null || end > stats.windowEndNs) stats.windowEndNs = end;
  stats.events += t.events;
  stats.tokens += t.contentEvents;
  stats.bytes += t.bytes;
  stats.stalls += t.stalls;
  if (record.cut) {
    stats.cut++;
    return;
  }
  stats.streams++;
  if (record.failure) {
    stats.errors[record.failure.class]++;
    stats.errorSamples[record.failure.class] ??= record.failure.message;
    return;
  }
  stats.ok++;
  const h = stats.timings;
  if (t.ttfbNs !== null) recordNs(h.ttfb, t.ttfbNs);
  if (t.ttfeNs !== null) recordNs(h.ttfe, t.ttfeNs);
  if (t.ttftNs !== null) recordNs(h.ttft, t.ttftNs);
  if (t.e2eNs !== null) recordNs(h.e2e, t.e2eNs);
  if (t.tpotNs !== null) recordNs(h.tpot, t.tpotNs);
  for (const gap of t.itlNs) recordNs(h.itl, gap);
  if (t.e2eNs !== null && t.e2eNs > 0 && t.contentEvents > 0) {
    stats.streamTokensPerSecond.recordValue(Math.round((t.contentEvents / (t.e2eNs / 1e9)) * 1000));
  }
  if (record.frames) {
    const f = record.frames;
    stats.frames.checked++;
    if (frameMismatches(f) > 0) {
      stats.frames.mismatchedStreams++;
      stats.mismatchSample ??= record.mismatch ?? 'frames differ';
    }
    stats.frames.lost += f.lost;
    stats.frames.corrupted += f.corrupted;
    stats.frames.reordered += f.reordered;
    stats.frames.extra += f.extra;
  }
}

export function totalErrors(stats: LoadStats): number {
  return ERROR_CLASSES.reduce((n, c) => n + stats.errors[c], 0);
}

export function windowSeconds(stats: LoadStats): number {
  if (stats.windowStartNs === null || stats.windowEndNs === null) return 0;
  return Number(stats.windowEndNs - stats.windowStartNs) / 1e9;
}

export function mergeLoadStats(parts: readonly LoadStats[]): LoadStats {
  const out = createLoadStats();
  for (const p of parts) {
    for (const n of TIMING_NAMES) out.timings[n].add(p.timings[n]);
    out.streamTokensPerSecond.add(p.streamTokensPerSecond);
    out.streams += p.streams;
    out.ok += p.ok;
    for (const c of ERROR_CLASSES) out.errors[c] += p.errors[c];
    for (const [c, m] of Object.entries(p.errorSamples)) out.errorSamples[c as ErrorClass] ??= m;
    out.cut += p.cut;
    out.events += p.events;
    out.tokens += p.tokens;
    out.bytes += p.bytes;
    out.stalls += p.stalls;
    for (const k of Object.keys(out.frames) as (keyof LoadStats['frames'])[]) out.frames[k] += p.frames[k];
    out.mismatchSample ??= p.mismatchSample;
    if (p.windowStartNs !== null && (out.windowStartNs === null || p.windowStartNs < out.windowStartNs))
      out.windowStartNs = p.windowStartNs;
    if (p.windowEndNs !== null && (out.windowEndNs === null || p.windowEndNs > out.windowEndNs)) out.windowEndNs = p.windowEndNs;
  }
  return out;
}

/** JSON-safe form (histograms as compressed base64, bigints as strings), for IPC or files. */
export interface EncodedLoadStats extends Omit<LoadStats, 'timings' | 'streamTokensPerSecond' | 'windowStartNs' | 'windowEndNs'> {
  timings: Record<TimingName, string>;
  streamTokensPerSecond: string;
  windowStartNs: string | null;
  windowEndNs: string | null;
}

export function encodeLoadStats(s: LoadStats): EncodedLoadStats {
  return {
    ...s,
    errors: { ...s.errors },
    errorSamples: { ...s.errorSamples },
    frames: { ...s.frames },
    timings: Object.fromEntries(TIMING_NAMES.map((n) => [n, encodeHistogram(s.timings[n])])) as Record<TimingName, string>,
    streamTokensPerSecond: encodeHistogram(s.streamTokensPerSecond),
    windowStartNs: s.windowStartNs?.toString() ?? null,
    windowEndNs: s.windowEndNs?.toString() ?? null,
  };
}

export function decodeLoadStats(e: EncodedLoadStats): LoadStats {
  return {
    ...e,
    errors: { ...e.errors },
    errorSamples: { ...e.errorSamples },
    frames: { ...e.frames },
    timings: Object.fromEntries(TIMING_NAMES.map((n) => [n, decodeHistogram(e.timings[n])])) as Record<TimingName, Histogram>,
    streamTokensPerSecond: decodeHistogram(e.streamTokensPerSecond),
    windowStartNs: e.windowStartNs === null ? null : BigInt(e.windowStartNs),
    windowEndNs: e.windowEndNs === null ? null : BigInt(e.windowEndNs),
  };
}
