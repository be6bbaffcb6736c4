// One load phase: a load model driving streams at one origin (the gateway, or the replay upstream
// directly), each stream checked as it ends, the driver's own health watched throughout.
import { realClock, type Clock } from '../base/clock.ts';
import { watchDriver, type DriverHealth, type DriverLimits } from './driver-health.ts';
import { createHistogram } from './histogram.ts';
import { createLoadStats, mergeLoadStats, recordStream, totalErrors, type LoadStats } from './load-stats.ts';
import { runLoadModel, type ModelRunResult, type RunBounds } from './load-model.ts';
import type { Progress } from './progress.ts';
import { peakConcurrency, type LoadModel } from './schedule.ts';
import { createSseLoadDriver, type DriverRequest, type SlowReader } from '../client/sse-driver.ts';
import { evaluateStream, type ExpectationState, type StreamRecord } from '../checks/stream-check.ts';

/** One kind of stream the phase sends (requests go round-robin over the sources). */
export interface StreamSource {
  label: string;
  request: DriverRequest;
  expectation: ExpectationState;
}

export interface PhaseOptions {
  label: string;
  origin: string;
  sources: readonly StreamSource[];
  model: LoadModel;
  bounds: RunBounds;
  timeouts: { headersMs: number; idleMs: number; streamMs: number };
  slowReader?: SlowReader;
  stallMs: number;
  onEnd: 'drain' | 'cut';
  drainMs: number;
  driverLimits: DriverLimits;
  progress?: Progress;
  clock?: Clock;
  /** Each measured stream's record (warm-up excluded), e.g. to classify it against an SLO. */
  onStream?: (record: StreamRecord) => void;
}

export interface PhaseResult {
  stats: LoadStats;
  run: ModelRunResult;
  health: DriverHealth;
  /** The phase in hrtime ms (to pick server samples taken during it). */
  startedAtMs: number;
  endedAtMs: number;
  /** [start, end] hrtime ms of every run merged into this result (one unless merged). */
  windows: Array<[number, number]>;
  /** Requests sent per source label. */
  perSource: Record<string, number>;
  /** Body bytes received by every stream, warm-up included. */
  bytesReceived: number;
}

export async function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  if (options.sources.length === 0) throw new Error('a load phase needs at least one stream source');
  const clock = options.clock ?? realClock;
  const driver = createSseLoadDriver({
    origin: options.origin,
    // A little headroom over the model's peak so a closing socket never queues a new stream.
    connections: peakConcurrency(options.model) + 8,
    headersTimeoutMs: options.timeouts.headersMs,
    idleTimeoutMs: options.timeouts.idleMs,
    totalTimeoutMs: options.timeouts.streamMs,
    slowReader: options.slowReader,
  });
  const stats = createLoadStats();
  const perSource: Record<string, number> = {};
  const stallNs = options.stallMs * 1e6;
  let drainTimer: NodeJS.Timeout | undefined;
  // Launching ends at the count bound (the model says so) or at the time bound, whichever comes
  // first; a closed loop whose streams outlive the time bound would otherwise never notice it.
  let ending = false;
  const endLaunching = () => {
    if (ending) return;
    ending = true;
    if (options.onEnd === 'cut') driver.abortAll('cut');
    else drainTimer = setTimeout(() => driver.abortAll('timeout'), options.drainMs);
  };
  const deadline = setTimeout(endLaunching, options.bounds.maxDurationMs);

  options.progress?.start(options.label, () => ({
    activeStreams: driver.inFlight,
    events: stats.events,
    errors: totalErrors(stats),
    bytes: driver.bytesReceived,
  }));
  const startedAtMs = Number(process.hrtime.bigint()) / 1e6;
  const monitor = watchDriver(options.driverLimits);
  let run: ModelRunResult;
  try {
    run = await runLoadModel({
      model: options.model,
      bounds: options.bounds,
      clock,
      async launch(info) {
        const source = options.sources[info.index % options.sources.length]!;
        perSource[source.label] = (perSource[source.label] ?? 0) + 1;
        const outcome = await driver.send(source.request, info.intendedNs);
        const record = evaluateStream(outcome, source.expectation, stallNs);
        if (!info.warmup) recordStream(stats, record, outcome.origin, outcome.endAt);
        if (!info.warmup && !record.cut) options.onStream?.(record);
      },
      afterLaunching: endLaunching,
    });
  } finally {
    clearTimeout(deadline);
    clearTimeout(drainTimer);
    options.progress?.stop();
    await driver.close();
  }
  const health = monitor.stop();
  const endedAtMs = Number(process.hrtime.bigint()) / 1e6;
  return {
    stats,
    run,
    health,
    startedAtMs,
    endedAtMs,
    windows: [[startedAtMs, endedAtMs]],
    perSource,
    bytesReceived: driver.bytesReceived,
  };
}

/** Several runs of the same phase as one (histograms merged, counts added, worst driver health). */
export function mergePhases(parts: readonly PhaseResult[]): PhaseResult {
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const scheduleDelay = createHistogram();
  for (const p of parts) scheduleDelay.add(p.run.scheduleDelay);
  const perSource: Record<string, number> = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.perSource)) perSource[k] = (perSource[k] ?? 0) + n;
  const sum = (f: (p: PhaseResult) => number) => parts.reduce((n, p) => n + f(p), 0);
  const max = (f: (p: PhaseResult) => number) => Math.max(...parts.map(f));
  const health: DriverHealth = {
    eventLoopDelayP99Ms: max((p) => p.health.eventLoopDelayP99Ms),
    eventLoopDelayMaxMs: max((p) => p.health.eventLoopDelayMaxMs),
    eventLoopUtilization: max((p) => p.health.eventLoopUtilization),
    cpu: max((p) => p.health.cpu),
    valid: parts.every((p) => p.health.valid),
    reasons: parts.flatMap((p, i) => p.health.reasons.map((r) => `round ${i + 1}: ${r}`)),
  };
  return {
    stats: mergeLoadStats(parts.map((p) => p.stats)),
    run: {
      startedNs: first.run.startedNs,
      launchEndedNs: last.run.launchEndedNs,
      endedNs: last.run.endedNs,
      launched: sum((p) => p.run.launched),
      measuredLaunched: sum((p) => p.run.measuredLaunched),
      dropped: sum((p) => p.run.dropped),
      scheduleDelay,
      maxInFlight: max((p) => p.run.maxInFlight),
      stoppedBy: last.run.stoppedBy,
    },
    health,
    startedAtMs: first.startedAtMs,
    endedAtMs: last.endedAtMs,
    windows: parts.flatMap((p) => p.windows),
    perSource,
    bytesReceived: sum((p) => p.bytesReceived),
  };
}
