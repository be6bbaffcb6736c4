// Runs a load model: decides when each request starts, bounded in count AND time, marks warm-up
// requests, and (open loop) records how late each request started against its schedule.
import type { Clock } from '../base/clock.ts';
import { createHistogram, recordNs, type Histogram } from './histogram.ts';
import { arrivalOffsets, type LoadModel } from './schedule.ts';

export interface RunBounds {
  maxRequests: number;
  maxDurationMs: number;
  /** The first N requests are warm-up (excluded from statistics). */
  warmupRequests: number;
  /** Requests intended to start within this many ms of the run start are warm-up too. */
  warmupMs: number;
}

export interface LaunchInfo {
  index: number;
  /** When the request was meant to start: latency is measured from here (open loop). */
  intendedNs: bigint;
  /** intendedNs − the run's start, ns (where the request sits in the schedule). */
  offsetNs: number;
  warmup: boolean;
}

export interface ModelRunResult {
  startedNs: bigint;
  /** When launching stopped. */
  launchEndedNs: bigint;
  /** When the last request completed. */
  endedNs: bigint;
  launched: number;
  measuredLaunched: number;
  /** Open loop: arrivals not sent because maxInFlight requests were already open. */
  dropped: number;
  /** Open loop: actual start − intended start, ns, measured requests only. */
  scheduleDelay: Histogram;
  maxInFlight: number;
  stoppedBy: 'count' | 'time' | 'aborted';
}

export interface RunModelOptions {
  model: LoadModel;
  bounds: RunBounds;
  clock: Clock;
  /** Starts one request; resolves when it is over (never rejects: failures are results). */
  launch(info: LaunchInfo): Promise<void>;
  /** Called once when no more requests will start (e.g. to arm a drain timeout). */
  afterLaunching?: () => void;
  signal?: AbortSignal;
  /** Open loop: these intended starts instead of the model's own (a shard's slice, see shard.ts). */
  arrivals?: Iterable<bigint>;
}

export async function runLoadModel(options: RunModelOptions): Promise<ModelRunResult> {
  const { model, bounds, clock } = options;
  const startedNs = clock.now();
  const maxDurationNs = BigInt(Math.round(bounds.maxDurationMs * 1e6));
  const warmupNs = BigInt(Math.round(bounds.warmupMs * 1e6));
  const scheduleDelay = createHistogram();
  let launched = 0;
  let measuredLaunched = 0;
  let dropped = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let stoppedBy: ModelRunResult['stoppedBy'] = 'count';

  const isWarmup = (index: number, intendedNs: bigint) => index < bounds.warmupRequests || intendedNs - startedNs < warmupNs;
  const outOfTime = (now: bigint) => now - startedNs >= maxDurationNs;

  const start = async (info: LaunchInfo) => {
    launched++;
    if (!info.warmup) measuredLaunched++;
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    try {
      await options.launch(info);
    } finally {
      inFlight--;
    }
  };

  let launchEndedNs: bigint | null = null;
  const stopLaunching = (reason: ModelRunResult['stoppedBy']) => {
    if (launchEndedNs !== null) return;
    launchEndedNs = clock.now();
    stoppedBy = reason;
    options.afterLaunching?.();
  };

  if (model.type === 'closed') {
    const rampStepNs = model.concurrency > 1 ? BigInt(Math.round((model.rampUpMs * 1e6) / model.concurrency)) : 0n;
    const worker = async (w: number) => {
      if (rampStepNs > 0n) await clock.sleepUntil(startedNs + rampStepNs * BigInt(w));
      for (;;) {
        // The first worker to see a bound hit ends launching for all (they check before each start).
        if (launchEndedNs !== null) return;
        const now = clock.now();
        if (options.signal?.aborted) return stopLaunching('aborted');
        if (launched >= bounds.maxRequests) return stopLaunching('count');
        if (outOfTime(now)) return stopLaunching('time');
        await start({ index: launched, intendedNs: now, offsetNs: Number(now - startedNs), warmup: isWarmup(launched, now) });
      }
    };
    await Promise.all(Array.from({ length: model.concurrency }, (_, w) => worker(w)));
  } else {
    const pending = new Set<Promise<void>>();
    let scheduled = 0;
    for (const offset of options.arrivals ?? arrivalOffsets(model)) {
      if (options.signal?.aborted) {
        stopLaunching('aborted');
        break;
      }
      if (scheduled >= bounds.maxRequests) {
        stopLaunching('count');
        break;
      }
      if (offset >= maxDurationNs || outOfTime(clock.now())) {
        stopLaunching('time');
        break;
      }
      const intendedNs = startedNs + offset;
      if (clock.now() < intendedNs) await clock.sleepUntil(intendedNs);
      const index = scheduled++;
      const warmup = isWarmup(index, intendedNs);
      if (inFlight >= model.maxInFlight) {
        // The schedule does not wait: an arrival with no free slot is dropped and counted.
        if (!warmup) dropped++;
        continue;
      }
      if (!warmup) recordNs(scheduleDelay, clock.now() - intendedNs);
      const p = start({ index, intendedNs, offsetNs: Number(offset), warmup });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    while (pending.size > 0) await Promise.all([...pending]);
  }
  const endedNs = clock.now();
  return {
    startedNs,
    launchEndedNs: launchEndedNs ?? endedNs,
    endedNs,
    launched,
    measuredLaunched,
    dropped,
    scheduleDelay,
    maxInFlight,
    stoppedBy,
  };
}
