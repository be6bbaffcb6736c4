// Merging the shards of one run: histograms are added (percentiles are never averaged), counts
// summed. Shards that disagree on the run, the scenario or the histogram settings are refused
// (bad input); missing shards, missing intervals and saturated or late shards are reported, never
// hidden, for the caller to fail the run on.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../base/errors.ts';
import { isJsonObject, parseJson } from '../base/json.ts';
import { ERROR_CLASSES } from '../client/error-class.ts';
import type { DriverHealth } from './driver-health.ts';
import { createLogHistogram, LOG_SETTINGS, readIntervalLog, usToNs, type ReadLog } from './hdr-log.ts';
import { createHistogram, type Histogram } from './histogram.ts';
import { createLoadStats, TIMING_NAMES } from './load-stats.ts';
import type { PhaseResult } from './phase.ts';
import {
  SCHEDULE_DELAY_TAG,
  SHARD_FORMAT,
  TOKENS_TAG,
  FILES,
  type ShardCounts,
  type ShardHealth,
  type ShardManifest,
} from './shard-output.ts';
import { shardDirName } from './shard.ts';

export interface ShardData {
  dir: string;
  manifest: ShardManifest;
  counts: ShardCounts;
  health: ShardHealth;
  log: ReadLog;
}

/** Shard directories under the given paths: each path is a shard directory or holds shard-*-of-* directories. */
export function findShardDirs(paths: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new InputError(p, null, 'not a directory');
    if (existsSync(join(p, FILES.manifest))) {
      dirs.push(p);
      continue;
    }
    const found = readdirSync(p)
      .filter((n) => /^shard-\d+-of-\d+$/.test(n) && statSync(join(p, n)).isDirectory())
      .sort()
      .map((n) => join(p, n));
    // A shard directory without a manifest did not finish (the manifest is written last): it counts as missing.
    dirs.push(...found.filter((d) => existsSync(join(d, FILES.manifest))));
  }
  return [...new Set(dirs)];
}

function readJson(dir: string, name: string): Record<string, unknown> {
  const file = join(dir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, null, `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err) {
    throw new InputError(file, null, `not JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(value)) throw new InputError(file, null, 'expected a JSON object');
  return value;
}

export function readShard(dir: string): ShardData {
  const manifest = readJson(dir, FILES.manifest) as unknown as ShardManifest;
  if (manifest.format !== SHARD_FORMAT || typeof manifest.runId !== 'string' || !manifest.shard || !manifest.scenario?.hash)
    throw new InputError(join(dir, FILES.manifest), null, `not a streamproof shard manifest (format ${SHARD_FORMAT})`);
  const counts = readJson(dir, FILES.counts) as unknown as ShardCounts;
  const health = readJson(dir, FILES.health) as unknown as ShardHealth;
  let log: ReadLog;
  try {
    log = readIntervalLog(readFileSync(join(dir, FILES.log), 'utf8'));
  } catch (err) {
    throw new InputError(join(dir, FILES.log), null, `not a readable HdrHistogram interval log: ${(err as Error).message}`);
  }
  return { dir, manifest, counts, health, log };
}

export interface MergedRun {
  phase: PhaseResult;
  shards: ShardData[];
  /** The N every manifest names. */
  count: number;
  /** Shard indices of 0..N-1 with no output. */
  missingShards: number[];
  /** One line per shard with intervals its manifest promises but its files lack. */
  missingIntervals: string[];
  /** Start times of the shards, spread (max − min lateness), ms. */
  startSpreadMs: number;
}

/** Refuses shards that are not of one run (exit 2, naming them); otherwise merges what is there. */
export function mergeShards(shards: readonly ShardData[]): MergedRun {
  if (shards.length === 0) throw new InputError('merge', null, 'no shard directories (shard-<i>-of-<N>/manifest.json) found');
  const first = shards[0]!;
  const name = (s: ShardData) => `${s.dir} (${shardDirName(s.manifest.shard)})`;
  const refuse = (what: string, pick: (s: ShardData) => unknown) => {
    const groups = new Map<string, ShardData[]>();
    for (const s of shards) {
      const key = JSON.stringify(pick(s));
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    if (groups.size > 1)
      throw new InputError(
        'merge',
        null,
        `the shards differ in ${what}, so they are not one run:\n${[...groups].map(([k, g]) => `  ${k}: ${g.map(name).join(', ')}`).join('\n')}`,
      );
  };
  refuse('run id', (s) => s.manifest.runId);
  refuse('scenario (hash of the scenario and its cassettes)', (s) => s.manifest.scenario.hash);
  refuse('histogram settings', (s) => s.manifest.histograms);
  refuse('shard count N', (s) => s.manifest.shard.count);
  refuse('target', (s) => s.manifest.target);
  for (const s of shards) {
    const bad = s.log.decodedSettings.find(
      (d) => d.significantDigits !== LOG_SETTINGS.significantDigits || d.lowestDiscernibleValue !== LOG_SETTINGS.lowestDiscernibleValue,
    );
    if (bad)
      throw new InputError(
        join(s.dir, FILES.log),
        null,
        `histogram ${bad.tag} has ${bad.significantDigits} significant digits and lowest value ${bad.lowestDiscernibleValue}; every shard must use ${LOG_SETTINGS.significantDigits} and ${LOG_SETTINGS.lowestDiscernibleValue}`,
      );
  }
  const seen = new Map<number, ShardData>();
  for (const s of shards) {
    const other = seen.get(s.manifest.shard.index);
    if (other) throw new InputError('merge', null, `shard ${s.manifest.shard.index} appears twice: ${name(other)} and ${name(s)}`);
    seen.set(s.manifest.shard.index, s);
  }
  const count = first.manifest.shard.count;
  const missingShards = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  const ordered = [...shards].sort((a, b) => a.manifest.shard.index - b.manifest.shard.index);

  const byTag = new Map<string, Histogram>();
  const add = (tag: string, h: Histogram) => {
    let sum = byTag.get(tag);
    if (!sum) byTag.set(tag, (sum = createLogHistogram()));
    sum.add(h);
  };
  const missingIntervals: string[] = [];
  for (const s of ordered) {
    const promised = s.manifest.intervals;
    const present = new Map<string, Set<number>>();
    for (const i of s.log.intervals) {
      add(i.tag, i.histogram);
      if (i.tag === SCHEDULE_DELAY_TAG) continue;
      const k = Math.round(i.startSec / s.manifest.histograms.intervalSeconds);
      present.set(i.tag, (present.get(i.tag) ?? new Set()).add(k));
    }
    const gaps = new Set<number>();
    for (const tag of [...TIMING_NAMES, TOKENS_TAG]) for (let k = 0; k < promised; k++) if (!present.get(tag)?.has(k)) gaps.add(k);
    for (let k = s.counts.intervals.length; k < promised; k++) gaps.add(k);
    if (gaps.size > 0)
      missingIntervals.push(`${shardDirName(s.manifest.shard)}: interval(s) ${compactRanges([...gaps])} of 0–${promised - 1} missing`);
  }

  const stats = createLoadStats();
  for (const t of TIMING_NAMES) stats.timings[t] = usToNs(byTag.get(t) ?? createLogHistogram());
  stats.streamTokensPerSecond = createHistogram();
  const tokens = byTag.get(TOKENS_TAG);
  if (tokens) stats.streamTokensPerSecond.add(tokens);
  for (const s of ordered) {
    for (const c of s.counts.intervals) {
      stats.streams += c.streams;
      stats.ok += c.ok;
      for (const e of ERROR_CLASSES) stats.errors[e] += c.errors[e] ?? 0;
      stats.cut += c.cut;
      stats.events += c.events;
      stats.tokens += c.tokens;
      stats.bytes += c.bytes;
      stats.stalls += c.stalls;
      for (const k of Object.keys(stats.frames) as (keyof typeof stats.frames)[]) stats.frames[k] += c.frames[k] ?? 0;
    }
    for (const [e, m] of Object.entries(s.counts.errorSamples)) stats.errorSamples[e as keyof typeof stats.errors] ??= m;
    stats.mismatchSample ??= s.counts.mismatchSample;
  }
  // The window on the shared timeline (ms from the start time): earliest start to latest end.
  const windows = ordered.flatMap((s) => (s.counts.window ? [s.counts.window] : []));
  if (windows.length > 0) {
    stats.windowStartNs = BigInt(Math.round(Math.min(...windows.map((w) => w.startMs)) * 1e6));
    stats.windowEndNs = BigInt(Math.round(Math.max(...windows.map((w) => w.endMs)) * 1e6));
  }
  const sum = (f: (s: ShardData) => number) => ordered.reduce((n, s) => n + f(s), 0);
  const max = (f: (s: ShardData) => number) => Math.max(...ordered.map(f));
  const durationMs = max((s) => s.counts.run.durationMs + s.health.startLatenessMs);
  const scheduleDelay = createHistogram();
  const delay = byTag.get(SCHEDULE_DELAY_TAG);
  if (delay) scheduleDelay.add(usToNs(delay));
  const health: DriverHealth = {
    eventLoopDelayP99Ms: max((s) => s.health.eventLoopDelayP99Ms),
    eventLoopDelayMaxMs: max((s) => s.health.eventLoopDelayMaxMs),
    eventLoopUtilization: max((s) => s.health.eventLoopUtilization),
    cpu: max((s) => s.health.cpu),
    valid: ordered.every((s) => s.health.valid),
    reasons: ordered.flatMap((s) => s.health.reasons.map((r) => `${shardDirName(s.manifest.shard)}: ${r}`)),
  };
  const perSource: Record<string, number> = {};
  for (const s of ordered) for (const [k, n] of Object.entries(s.counts.perSource)) perSource[k] = (perSource[k] ?? 0) + n;
  const end = BigInt(Math.round(durationMs * 1e6));
  const phase: PhaseResult = {
    stats,
    run: {
      startedNs: 0n,
      launchEndedNs: end,
      endedNs: end,
      launched: sum((s) => s.counts.run.launched),
      measuredLaunched: sum((s) => s.counts.run.measuredLaunched),
      dropped: sum((s) => s.counts.run.dropped),
      scheduleDelay,
      // Each shard's own peak, added: an upper bound on the run's (the peaks need not coincide).
      maxInFlight: sum((s) => s.counts.run.maxInFlight),
      stoppedBy: ordered.some((s) => s.counts.run.stoppedBy === 'aborted')
        ? 'aborted'
        : ordered.some((s) => s.counts.run.stoppedBy === 'time')
          ? 'time'
          : 'count',
    },
    health,
    startedAtMs: 0,
    endedAtMs: durationMs,
    windows: [[0, durationMs]],
    // CPU per event is not recorded by shards: zero events here leaves those figures absent, not 0.
    cpuUs: {},
    runWaitUs: {},
    analysisCpuUs: 0,
    eventsDelivered: 0,
    listenOverflows: null, // each shard's machine has its own counter; shards do not record it
    perSource,
    bytesReceived: sum((s) => s.counts.bytesReceived),
  };
  const lateness = ordered.map((s) => s.health.startLatenessMs);
  return { phase, shards: ordered, count, missingShards, missingIntervals, startSpreadMs: Math.max(...lateness) - Math.min(...lateness) };
}

/** [0,1,2,5] → "0–2, 5". */
function compactRanges(values: number[]): string {
  const v = [...values].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < v.length; ) {
    let j = i;
    while (j + 1 < v.length && v[j + 1] === v[j]! + 1) j++;
    out.push(i === j ? `${v[i]}` : `${v[i]}–${v[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}
