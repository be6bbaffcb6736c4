// A phase's results as named measurements (names and units: measurement-catalog.ts).
import type { DriverHealth } from './driver-health.ts';
import { summarizeMs } from './histogram.ts';
import { TIMING_NAMES, totalErrors, windowSeconds, type TimingName } from './load-stats.ts';
import type { MeasurementList } from './measurements.ts';
import type { PhaseResult } from './phase.ts';
import { ERROR_CLASSES } from '../client/error-class.ts';
import type { ServerGauges } from './server-samples.ts';

const PERCENTILES = ['p50', 'p90', 'p99', 'max'] as const;
/** The direct and null-proxy phases report the series the added_* figures are computed from. */
const DIRECT_TIMINGS: readonly TimingName[] = ['ttfb', 'ttft', 'itl', 'e2e'];

/** `framesChecked`: streams were compared with goldens; otherwise no frame figure is reported (never a 0 that was not measured). */
/** '' is the phase through the gateway; direct_ straight at the replay upstream; proxy_ through the null proxy. */
export type PhasePrefix = '' | 'direct_' | 'proxy_';

export function addPhaseMeasurements(
  list: MeasurementList,
  prefix: PhasePrefix,
  phase: PhaseResult,
  openLoop: boolean,
  framesChecked = true,
): void {
  const { stats, run } = phase;
  for (const t of prefix === '' ? TIMING_NAMES : DIRECT_TIMINGS) {
    const s = summarizeMs(stats.timings[t]);
    for (const p of PERCENTILES) list.add(`${prefix}${t}_${p}_ms`, s[p]);
  }
  const perStream = stats.streamTokensPerSecond;
  list.add(`${prefix}stream_tokens_per_s_p50`, perStream.totalCount ? perStream.getValueAtPercentile(50) / 1000 : 0);
  const seconds = windowSeconds(stats);
  list.add(`${prefix}tokens_per_s`, seconds > 0 ? stats.tokens / seconds : 0);
  list.add(`${prefix}events_per_s`, seconds > 0 ? stats.events / seconds : 0);
  list.add(`${prefix}mb_per_s`, seconds > 0 ? stats.bytes / 1e6 / seconds : 0);
  list.add(`${prefix}streams`, stats.streams);
  list.add(`${prefix}errors`, totalErrors(stats));
  for (const c of ERROR_CLASSES) if (stats.errors[c] > 0) list.add(`${prefix}errors_${c}`, stats.errors[c]);
  list.add(`${prefix}stalls`, stats.stalls);
  if (framesChecked) {
    list.add(`${prefix}lost_frames`, stats.frames.lost);
    list.add(`${prefix}corrupted_frames`, stats.frames.corrupted);
    list.add(`${prefix}reordered_frames`, stats.frames.reordered);
    list.add(`${prefix}extra_frames`, stats.frames.extra);
    list.add(`${prefix}mismatched_streams`, stats.frames.mismatchedStreams);
  }
  if (stats.cut > 0) list.add(`${prefix}cut_streams`, stats.cut);
  list.add(`${prefix}concurrency_max`, run.maxInFlight);
  if (openLoop) {
    const d = summarizeMs(run.scheduleDelay);
    list.add(`${prefix}schedule_delay_p50_ms`, d.p50);
    list.add(`${prefix}schedule_delay_p99_ms`, d.p99);
    list.add(`${prefix}schedule_delay_max_ms`, d.max);
    list.add(`${prefix}dropped`, run.dropped);
  }
  addDriverMeasurements(list, prefix, phase.health);
  addCpuPerEvent(list, prefix, phase);
}

/**
 * CPU per event of every process the phase measured: its CPU time (user + system) over the
 * phase divided by the events delivered to the driver in it (warm-up included, as the CPU was).
 * `<process>_cpu_us_per_event` (gateway, driver, upstream; the null proxy's own is proxy_cpu_…),
 * and the driver's deferred analysis as driver_analysis_cpu_us_per_event. Nothing is reported
 * for a phase that delivered no event (there is nothing to divide by).
 */
export function addCpuPerEvent(
  list: MeasurementList,
  prefix: PhasePrefix,
  phase: Pick<PhaseResult, 'cpuUs' | 'runWaitUs' | 'analysisCpuUs' | 'eventsDelivered' | 'windows'>,
): void {
  const cores = coresUsed(phase);
  if (cores !== null) list.add(`${prefix}cores_used`, cores);
  const wallUs = phaseWallUs(phase);
  if (wallUs > 0)
    for (const [role, us] of Object.entries(phase.runWaitUs)) list.add(processFigureName(prefix, role, 'cpu_wait'), us / wallUs);
  if (phase.eventsDelivered <= 0) return;
  for (const [role, us] of Object.entries(phase.cpuUs))
    list.add(processFigureName(prefix, role, 'cpu_us_per_event'), us / phase.eventsDelivered);
  list.add(`${prefix}driver_analysis_cpu_us_per_event`, phase.analysisCpuUs / phase.eventsDelivered);
}

/**
 * Cores the phase's processes (driver, upstream, gateway or null proxy) kept busy together: their
 * CPU time over the phase's wall time. Near the machine's core count they queue for CPU, and
 * every latency figure of the phase holds that wait. Null when the phase measured no time.
 */
export function coresUsed(phase: Pick<PhaseResult, 'cpuUs' | 'windows'>): number | null {
  const wallUs = phaseWallUs(phase);
  if (wallUs <= 0) return null;
  return Object.values(phase.cpuUs).reduce((n, us) => n + us, 0) / wallUs;
}

/**
 * Share of a process's wall time its main thread waited for a core (runnable, not running):
 * what other processes on the machine, the run's own included, cost its latency. Null where not
 * reported or when the phase measured no time.
 */
export function cpuWait(phase: Pick<PhaseResult, 'runWaitUs' | 'windows'>, role: string): number | null {
  const wallUs = phaseWallUs(phase);
  const us = phase.runWaitUs[role];
  return us === undefined || wallUs <= 0 ? null : us / wallUs;
}

function phaseWallUs(phase: Pick<PhaseResult, 'windows'>): number {
  return phase.windows.reduce((n, [start, end]) => n + (end - start) * 1000, 0);
}

/** `<prefix><role>_<figure>`: gateway_cpu_us_per_event, proxy_upstream_cpu_wait, … */
export function processFigureName(prefix: PhasePrefix, role: string, figure: 'cpu_us_per_event' | 'cpu_wait'): string {
  // The null proxy phase's own process: proxy_cpu_us_per_event, not proxy_proxy_….
  return `${prefix}${`${role}_` === prefix ? '' : `${role}_`}${figure}`;
}

export function addDriverMeasurements(list: MeasurementList, prefix: PhasePrefix, h: DriverHealth): void {
  list.add(`${prefix}driver_event_loop_delay_p99_ms`, h.eventLoopDelayP99Ms);
  list.add(`${prefix}driver_elu`, h.eventLoopUtilization);
  list.add(`${prefix}driver_cpu`, h.cpu);
}

/**
 * Added latency: the same percentile of two series, minus. `added_` is gateway − direct;
 * `added_hop_` null proxy − direct (one more hop); `added_over_proxy_` gateway − null proxy
 * (what the gateway itself adds).
 */
export function addAddedMeasurements(
  list: MeasurementList,
  gateway: PhaseResult,
  direct: PhaseResult,
  name: 'added_' | 'added_hop_' | 'added_over_proxy_' = 'added_',
): void {
  for (const t of DIRECT_TIMINGS) {
    const g = summarizeMs(gateway.stats.timings[t]);
    const d = summarizeMs(direct.stats.timings[t]);
    for (const p of PERCENTILES) list.add(`${name}${t}_${p}_ms`, g[p] - d[p]);
  }
}

export function addGatewayGauges(list: MeasurementList, g: ServerGauges): void {
  const mb = (n: number) => n / 1e6;
  list.add('gateway_rss_max_mb', mb(g.rssMax));
  list.add('gateway_heap_max_mb', mb(g.heapMax));
  list.add('gateway_buffered_max_mb', mb(g.bufferedMax));
  list.add('gateway_pipeline_max_mb', mb(g.pipelineMax));
  list.add('gateway_queued_writes_max_mb', mb(g.queuedWritesMax));
  list.add('gateway_active_streams_max', g.activeStreamsMax);
  list.add('gateway_in_flight_max', g.inFlightMax);
  list.add('gateway_cpu_mean', g.cpuMean);
  list.add('gateway_elu_max', g.eluMax);
  list.add('gateway_gc_pause_max_ms', g.gcPauseMaxMs);
}
