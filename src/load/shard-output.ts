// What one shard writes, with no threshold evaluated (thresholds apply to the merged run only):
// shard-<i>-of-<N>/manifest.json (run id, scenario hash, histogram settings), histograms.hlog
// (every latency histogram per interval, in the HdrHistogram interval log format), counts.json
// (the counters per interval and the run's totals) and health.json (the driver's own health and
// how late the shard started against the shared start time).
import { mkdirSync, writeFileSync } from 'node:fs';
import { REQUESTS_FILE } from './request-log.ts';
import { join } from 'node:path';
import type { StreamRecord } from '../checks/stream-check.ts';
import type { ErrorClass } from '../client/error-class.ts';
import type { DriverHealth } from './driver-health.ts';
import { asLogHistogram, LOG_SETTINGS, nsToUs, writeIntervalLog, type LogInterval, type LogSettings } from './hdr-log.ts';
import { createLoadStats, recordStream, TIMING_NAMES, type LoadStats } from './load-stats.ts';
import type { PhaseResult } from './phase.ts';
import { shardDirName, type ShardSpec } from './shard.ts';

export const SHARD_FORMAT = 1;
export const INTERVAL_SECONDS = 1;
/** A shard that starts later than this after the shared start time did not run alongside the others. */
export const MAX_START_LATENESS_MS = 1000;
export const FILES = { manifest: 'manifest.json', log: 'histograms.hlog', counts: 'counts.json', health: 'health.json' } as const;
/** Log tags: the timings (µs), per-stream tokens/s ×1000 (not a latency) and the open loop's schedule delay (µs, whole run). */
export const TOKENS_TAG = 'stream_tokens_per_s_x1000';
export const SCHEDULE_DELAY_TAG = 'schedule_delay';

export interface ShardScenario {
  name: string;
  file: string;
  kind: string;
  /** sha256 of the validated scenario and its cassettes: shards of one run must agree on it. */
  hash: string;
  thresholds: Record<string, string>;
  model: string;
  openLoop: boolean;
  fidelity: boolean;
  mode: string;
  scope: string;
}

export interface ShardManifest {
  format: number;
  runId: string;
  shard: ShardSpec;
  scenario: ShardScenario;
  target: string;
  histograms: LogSettings & { intervalSeconds: number };
  /** The shared start time (ISO) and when this shard actually started, by its own clock. */
  startAt: string;
  startedAt: string;
  /** How many intervals the log holds per timing tag (0..intervals-1, empty ones included). */
  intervals: number;
  files: typeof FILES;
  /** --requests: this shard's requests.jsonl (in its directory), which merge concatenates in shard order. */
  requests?: string;
}

/** The counters of LoadStats, without histograms or machine-local times. */
export type IntervalCounts = Pick<LoadStats, 'streams' | 'ok' | 'errors' | 'cut' | 'events' | 'tokens' | 'bytes' | 'stalls' | 'frames'>;

export interface ShardCounts {
  intervals: IntervalCounts[];
  errorSamples: Partial<Record<ErrorClass, string>>;
  mismatchSample: string | null;
  /** The measured window in ms from the shared start time (null when no stream was measured). */
  window: { startMs: number; endMs: number } | null;
  run: { launched: number; measuredLaunched: number; dropped: number; maxInFlight: number; stoppedBy: string; durationMs: number };
  perSource: Record<string, number>;
  bytesReceived: number;
}

export interface ShardHealth extends DriverHealth {
  /** This shard's start minus the shared start time, ms, by its own clock (NTP keeps machines within ms). */
  startLatenessMs: number;
}

/** Why a shard's start disqualifies it (null when it started on time). */
export function lateStart(latenessMs: number): string | null {
  return latenessMs > MAX_START_LATENESS_MS
    ? `started ${(latenessMs / 1000).toFixed(1)} s after the shared start time (limit ${MAX_START_LATENESS_MS} ms): it did not run alongside the others`
    : null;
}

/** Splits the measured streams into intervals by when they ended (from the shard's start). */
export interface IntervalRecorder {
  onStream(record: StreamRecord, origin: bigint, end: bigint): void;
  readonly intervals: LoadStats[];
}

export function createIntervalRecorder(startNs: bigint): IntervalRecorder {
  const intervals: LoadStats[] = [];
  const lengthNs = BigInt(INTERVAL_SECONDS * 1e9);
  return {
    intervals,
    onStream(record, origin, end) {
      const k = end > startNs ? Number((end - startNs) / lengthNs) : 0;
      while (intervals.length <= k) intervals.push(createLoadStats());
      recordStream(intervals[k]!, record, origin, end);
    },
  };
}

export interface ShardWrite {
  reportDir: string;
  runId: string;
  shard: ShardSpec;
  scenario: ShardScenario;
  target: string;
  startAtMs: number;
  startedAtMs: number;
  /** hrtime ns when the phase started (interval 0 begins here). */
  startNs: bigint;
  phase: PhaseResult;
  intervals: readonly LoadStats[];
  /** The shard wrote requests.jsonl in its directory (named in the manifest). */
  requests?: boolean;
}

/** Writes the shard directory under reportDir; returns its path and the shard's health as written. */
export function writeShardDir(w: ShardWrite): { dir: string; health: ShardHealth } {
  const dir = join(w.reportDir, shardDirName(w.shard));
  mkdirSync(dir, { recursive: true });
  const latenessMs = w.startedAtMs - w.startAtMs;
  // Every interval up to the last one with a stream is written, empty ones too, so a gap is visible.
  const count = Math.max(1, w.intervals.length);
  const log: LogInterval[] = [];
  for (let k = 0; k < count; k++) {
    const s = w.intervals[k] ?? createLoadStats();
    const at = k * INTERVAL_SECONDS;
    for (const t of TIMING_NAMES) log.push({ tag: t, startSec: at, lengthSec: INTERVAL_SECONDS, histogram: nsToUs(s.timings[t]) });
    log.push({ tag: TOKENS_TAG, startSec: at, lengthSec: INTERVAL_SECONDS, histogram: asLogHistogram(s.streamTokensPerSecond) });
  }
  const run = w.phase.run;
  const durationMs = Number(run.endedNs - run.startedNs) / 1e6;
  log.push({ tag: SCHEDULE_DELAY_TAG, startSec: 0, lengthSec: Math.max(0.001, durationMs / 1000), histogram: nsToUs(run.scheduleDelay) });
  const manifest: ShardManifest = {
    format: SHARD_FORMAT,
    runId: w.runId,
    shard: w.shard,
    scenario: w.scenario,
    target: w.target,
    histograms: { ...LOG_SETTINGS, intervalSeconds: INTERVAL_SECONDS },
    startAt: new Date(w.startAtMs).toISOString(),
    startedAt: new Date(w.startedAtMs).toISOString(),
    intervals: count,
    files: FILES,
    ...(w.requests ? { requests: REQUESTS_FILE } : {}),
  };
  const stats = w.phase.stats;
  const rel = (ns: bigint | null) => (ns === null ? null : Number(ns - w.startNs) / 1e6 + latenessMs);
  const ws = rel(stats.windowStartNs);
  const we = rel(stats.windowEndNs);
  const counts: ShardCounts = {
    intervals: Array.from({ length: count }, (_, k) => countsOf(w.intervals[k] ?? createLoadStats())),
    errorSamples: stats.errorSamples,
    mismatchSample: stats.mismatchSample,
    window: ws === null || we === null ? null : { startMs: ws, endMs: we },
    run: {
      launched: run.launched,
      measuredLaunched: run.measuredLaunched,
      dropped: run.dropped,
      maxInFlight: run.maxInFlight,
      stoppedBy: run.stoppedBy,
      durationMs,
    },
    perSource: w.phase.perSource,
    bytesReceived: w.phase.bytesReceived,
  };
  const health: ShardHealth = { ...w.phase.health, startLatenessMs: latenessMs };
  const comments = [
    `streamproof run ${w.runId}, ${shardDirName(w.shard)}, scenario ${w.scenario.name} (${w.scenario.hash.slice(0, 12)})`,
    `values: µs for ${[...TIMING_NAMES, SCHEDULE_DELAY_TAG].join(', ')}; tokens/s ×1000 for ${TOKENS_TAG}; Interval_Max in ms`,
  ];
  writeFileSync(join(dir, FILES.log), writeIntervalLog(w.startAtMs, comments, log));
  writeFileSync(join(dir, FILES.counts), `${JSON.stringify(counts, null, 2)}\n`);
  writeFileSync(join(dir, FILES.health), `${JSON.stringify(health, null, 2)}\n`);
  // The manifest last: a directory with a manifest is complete.
  writeFileSync(join(dir, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, health };
}

function countsOf(s: LoadStats): IntervalCounts {
  return {
    streams: s.streams,
    ok: s.ok,
    errors: { ...s.errors },
    cut: s.cut,
    events: s.events,
    tokens: s.tokens,
    bytes: s.bytes,
    stalls: s.stalls,
    frames: { ...s.frames },
  };
}
