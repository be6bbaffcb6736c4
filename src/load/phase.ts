// One load phase: a load model driving streams at one origin (the gateway, the null proxy, or the
// replay upstream directly), the driver's own health watched throughout. During the phase the
// driver only stamps reads and counts bytes; decoding, golden comparison and histograms run after
// it (or in-phase in batches, if the held reads grow past a bound), so they neither delay stamps
// nor count as the hot path's CPU. The CPU each process spent is read at both ends of the phase.
import { realClock, type Clock } from '../base/clock.ts';
import { watchDriver, type DriverHealth, type DriverLimits } from './driver-health.ts';
import { createHistogram } from './histogram.ts';
import { createLoadStats, mergeLoadStats, recordStream, type LoadStats } from './load-stats.ts';
import { runLoadModel, type ModelRunResult, type RunBounds } from './load-model.ts';
import type { Progress } from './progress.ts';
import { peakConcurrency, type LoadModel } from './schedule.ts';
import { createSseLoadDriver, type DriverRequest, type SlowReader, type StreamOutcome } from '../client/sse-driver.ts';
import { evaluateStream, type ExpectationState } from '../checks/stream-check.ts';
import type { OnStream, RequestMeta } from './request-log.ts';
import { listenOverflows } from './listen-drops.ts';
import { runQueueWaitUs } from './run-queue.ts';

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
  /** The run's other processes by role (gateway, upstream, proxy). */
  processes?: Readonly<Record<string, MeasuredProcess>>;
  /** Held reads past this many bytes are analysed at once, in the phase (default 64 MiB). */
  maxDeferredBytes?: number;
  /** Open loop: a shard's slice of the schedule (see shard.ts). */
  arrivals?: Iterable<bigint>;
  /**
   * Each measured stream once analysed (a shard's interval histograms, SLOs, requests.jsonl;
   * stamps are the stream's own; meta: its intended start, schedule delay and status).
   */
  onStream?: OnStream;
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
  /**
   * CPU time (user + system) each process spent in the phase, µs: `driver` (this process, the
   * streams' hot path) and each of PhaseOptions.processes by its role.
   */
  cpuUs: Record<string, number>;
  /**
   * How long each process's main thread waited for a core in the phase (runnable, not running),
   * µs, by the same roles; a role is absent where the kernel does not report it.
   */
  runWaitUs: Record<string, number>;
  /** CPU time this process spent analysing streams (decode, golden, histograms) after the phase, µs. */
  analysisCpuUs: number;
  /** Events delivered to the driver in the phase, warm-up streams included: what that CPU served. */
  eventsDelivered: number;
  /** Connection attempts the kernel dropped on a full listen queue during the phase (machine-wide; null: not reported). */
  listenOverflows: number | null;
}

const DEFAULT_MAX_DEFERRED_BYTES = 64 * 1024 * 1024;

interface Finished {
  outcome: StreamOutcome;
  source: StreamSource;
  warmup: boolean;
  meta: RequestMeta;
}

/** A process the phase measures besides its own: its pid and a reader of its CPU time so far, µs. */
export interface MeasuredProcess {
  pid: number | null;
  cpuUs(): Promise<number>;
}

/** CPU time of every named process so far, µs (read at once, in parallel). */
async function readCpu(processes: Readonly<Record<string, MeasuredProcess>>): Promise<Record<string, number>> {
  const names = Object.keys(processes);
  const values = await Promise.all(names.map((n) => processes[n]!.cpuUs()));
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/** Run-queue wait of the driver (this process) and every named process so far, µs, where reported. */
function readRunWait(processes: Readonly<Record<string, MeasuredProcess>>): Record<string, number | null> {
  const out: Record<string, number | null> = { driver: runQueueWaitUs(process.pid) };
  for (const [name, p] of Object.entries(processes)) out[name] = p.pid === null ? null : runQueueWaitUs(p.pid);
  return out;
}

const ownCpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

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
  const maxDeferred = options.maxDeferredBytes ?? DEFAULT_MAX_DEFERRED_BYTES;
  let finished: Finished[] = [];
  let heldBytes = 0;
  let eventsDelivered = 0;
  const analyse = () => {
    const batch = finished;
    finished = [];
    heldBytes = 0;
    for (const { outcome, source, warmup, meta } of batch) {
      const record = evaluateStream(outcome, source.expectation, stallNs);
      eventsDelivered += record.timings.events;
      if (warmup) continue;
      recordStream(stats, record, outcome.origin, outcome.endAt);
      options.onStream?.(record, outcome.origin, outcome.endAt, { ...meta, status: outcome.status });
    }
  };
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

  const processes = options.processes ?? {};
  const cpuBefore = await readCpu(processes);
  const waitBefore = readRunWait(processes);
  const deadline = setTimeout(endLaunching, options.bounds.maxDurationMs);
  options.progress?.start(options.label, () => ({
    activeStreams: driver.inFlight,
    events: driver.readsReceived,
    counting: 'reads',
    errors: driver.failures,
    bytes: driver.bytesReceived,
  }));
  const overflows0 = listenOverflows();
  const startedAtMs = Number(process.hrtime.bigint()) / 1e6;
  const driverCpu0 = ownCpuUs();
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
        const scheduleDelayNs = Number(clock.now() - info.intendedNs);
        const outcome = await driver.send(source.request, info.intendedNs);
        finished.push({
          outcome,
          source,
          warmup: info.warmup,
          meta: { offsetNs: info.offsetNs, scheduleDelayNs, status: 0, source: source.label },
        });
        heldBytes += outcome.bytes;
        if (heldBytes > maxDeferred) analyse();
      },
      afterLaunching: endLaunching,
      arrivals: options.arrivals,
    });
  } finally {
    clearTimeout(deadline);
    clearTimeout(drainTimer);
    options.progress?.stop();
    await driver.close();
  }
  const health = monitor.stop();
  const driverCpuUs = ownCpuUs() - driverCpu0;
  const endedAtMs = Number(process.hrtime.bigint()) / 1e6;
  const cpuAfter = await readCpu(processes);
  const waitAfter = readRunWait(processes);
  const overflows1 = listenOverflows();
  const cpuUs: Record<string, number> = { driver: driverCpuUs };
  for (const name of Object.keys(processes)) cpuUs[name] = cpuAfter[name]! - cpuBefore[name]!;
  const runWaitUs: Record<string, number> = {};
  for (const [name, before] of Object.entries(waitBefore)) {
    const after = waitAfter[name] ?? null;
    if (before !== null && after !== null) runWaitUs[name] = after - before;
  }
  const analysis0 = ownCpuUs();
  analyse();
  return {
    stats,
    run,
    health,
    startedAtMs,
    endedAtMs,
    windows: [[startedAtMs, endedAtMs]],
    perSource,
    bytesReceived: driver.bytesReceived,
    cpuUs,
    runWaitUs,
    analysisCpuUs: ownCpuUs() - analysis0,
    eventsDelivered,
    listenOverflows: overflows0 === null || overflows1 === null ? null : overflows1 - overflows0,
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
  const cpuUs: Record<string, number> = {};
  for (const p of parts) for (const [k, us] of Object.entries(p.cpuUs)) cpuUs[k] = (cpuUs[k] ?? 0) + us;
  // A role's wait is summed only where every part reported it (a partial sum would understate it).
  const runWaitUs: Record<string, number> = {};
  for (const k of Object.keys(first.runWaitUs)) if (parts.every((p) => k in p.runWaitUs)) runWaitUs[k] = sum((p) => p.runWaitUs[k]!);
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
    cpuUs,
    runWaitUs,
    analysisCpuUs: sum((p) => p.analysisCpuUs),
    eventsDelivered: sum((p) => p.eventsDelivered),
    listenOverflows: parts.some((p) => p.listenOverflows === null) ? null : sum((p) => p.listenOverflows!),
  };
}
