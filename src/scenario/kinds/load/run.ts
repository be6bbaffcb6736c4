// `kind: load`: streams through the gateway under a load model, every stream checked against its
// golden; optionally the same load straight at the replay upstream and through a null proxy, in
// alternating rounds, so the gateway-added latency (added_*) and its split (one more hop, the
// gateway itself) come from one run on one machine; optionally a calibration first; the CPU per
// event of every process the run owns; the gateway's memory sampled throughout.
import type { ScenarioContext } from '../../kind.ts';
import { loadCassette } from '../../../cassette/cassette.ts';
import type { CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { benchCase, benchScenario, externalGatewayNotSampled } from '../../../load/bench-case.ts';
import { openGatewayLoad } from '../../../load/gateway-load.ts';
import { processReaders, type startLoadServers } from '../../../load/load-servers.ts';
import { startProxyProcess, type ServerProcess } from '../../../load/server-process.ts';
import { medianWithInterval, pairedDifferencesMs, type LaunchedSample } from '../../../load/paired-shift.ts';
import { DELAY_HEADER } from '../../../load/null-proxy.ts';
import { InputError } from '../../../base/errors.ts';
import { MeasurementList } from '../../../load/measurements.ts';
import { mergePhases, runPhase, type PhaseOptions, type PhaseResult } from '../../../load/phase.ts';
import { addAddedMeasurements, addGatewayGauges, addPhaseMeasurements, coresUsed, cpuWait } from '../../../load/phase-measurements.ts';
import { availableParallelism } from 'node:os';
import { describeModel, isOpenLoop, type LoadModel } from '../../../load/schedule.ts';
import { sampleSeries, samplesIn, summarizeSamples } from '../../../load/server-samples.ts';
import { directSources, loadInputs } from '../../../load/stream-sources.ts';
import { loadDetail, recordingProgress } from '../../../load/distribution.ts';
import { cassetteBody } from '../../../cassette/cassette.ts';
import { comparePhases, type ComparePhase, type LoadScenario } from './schema.ts';
import { phaseBounds, phaseSettings } from './phase-settings.ts';
import { planWorkload, shapeInputs } from './workload-sources.ts';
import { addSloMeasurements, sloRecorder } from '../../../load/slo-measurements.ts';
import { windowSeconds } from '../../../load/load-stats.ts';
import { composeOnStream, requestRecorder, type RequestPlace } from '../../../load/request-log.ts';

const MACHINE_CORES = availableParallelism();

export function modelOf(load: Exclude<LoadScenario['load'], { model: 'sweep' }>): LoadModel {
  switch (load.model) {
    case 'closed':
      return { type: 'closed', concurrency: load.concurrency, rampUpMs: load.rampUpSeconds * 1000 };
    case 'constant':
      return { type: 'constant', rate: load.rate, maxInFlight: load.maxInFlight };
    case 'poisson':
      return { type: 'poisson', rate: load.rate, seed: load.seed, maxInFlight: load.maxInFlight };
  }
}

/** `repetition`: which run of `repeat: N` this is (1-based), for requests.jsonl. */
export async function runLoadScenario(scenario: LoadScenario, ctx: ScenarioContext, repetition?: number): Promise<ScenarioResult> {
  const { file, fixtureFiles } = ctx;
  const started = performance.now();
  const inputs = shapeInputs(loadInputs(file, fixtureFiles.map(loadCassette), scenario.synthetic), scenario.workload);
  if (scenario.load.model === 'sweep') throw new Error('a sweep runs through runSweepScenario');
  const model = modelOf(scenario.load);
  const buildSources = planWorkload(scenario, file);
  const opened = await openGatewayLoad(file, inputs, scenario, ctx);
  const { external, live, mode, fidelity, servers } = opened;
  const sources = buildSources(opened.sources);
  const recorder = recordingProgress(ctx.progress);
  let proxy: ServerProcess | null = null;
  try {
    const slo = scenario.slo ? sloRecorder(scenario.slo) : null;
    // SLOs judge the gateway's streams that ran to their end (a stream cut by the run is neither met nor missed).
    const sloOnStream: PhaseOptions['onStream'] = slo ? (record) => void (record.cut || slo.onStream(record)) : undefined;
    const caseName = `${scenario.name} [${mode}]`;
    const phase = (
      label: string,
      place: Pick<RequestPlace, 'phase' | 'round'>,
      origin: string,
      s: PhaseOptions['sources'],
      processes: PhaseOptions['processes'],
      seconds?: number,
      onStream?: PhaseOptions['onStream'],
    ) =>
      runPhase({
        // --requests: every phase's measured streams go to requests.jsonl, beside the phase's own use of them.
        onStream: composeOnStream(
          onStream,
          requestRecorder(ctx.requests, {
            scenario: scenario.name,
            case: caseName,
            ...place,
            ...(repetition ? { repeat: repetition } : {}),
          }),
        ),
        label: `${scenario.name} ${label}`,
        origin,
        sources: s,
        model,
        bounds: phaseBounds(scenario, seconds),
        ...phaseSettings(scenario),
        progress: recorder.progress,
        processes,
      });

    // Phases other than the gateway's need the replay upstream (not there with a live upstream).
    const replayUrl = servers.replayUrl;
    const order = comparePhases(scenario.compare).filter((p) => p === 'gateway' || replayUrl !== null);
    if (scenario.calibrate && replayUrl === null)
      throw new InputError(file, null, 'calibrate needs the replay upstream (not available with upstream: live)');
    const needsProxy = order.includes('null-proxy') || scenario.calibrate !== undefined;
    if (needsProxy) proxy = await startProxyProcess(replayUrl!);
    const direct_ = replayUrl !== null && (order.length > 1 || needsProxy) ? await directSources(inputs, replayUrl, fidelity) : [];
    const upstream = servers.replayProcess;
    const runOne: RunOne = async (which, tag, seconds, place = { phase: which }) => {
      switch (which) {
        case 'direct':
          return phase(`direct to upstream${tag}`, place, replayUrl!, direct_, processReaders({ upstream }), seconds);
        case 'null-proxy':
          return phase(`via null proxy${tag}`, place, proxy!.url, direct_, processReaders({ proxy, upstream }), seconds);
        case 'gateway':
          // Start each gateway phase from a collected heap, so its samples show that phase alone.
          await servers.gateway?.gc();
          return phase(
            `via gateway${tag}`,
            place,
            servers.gatewayUrl,
            sources,
            processReaders({ gateway: servers.gateway, upstream }),
            seconds,
            sloOnStream,
          );
      }
    };

    const checks: CheckResult[] = [
      { name: 'scope', ok: true, message: `${describeModel(model)}; ${scopeOf(servers.scope, order, proxy)}` },
    ];
    const m = new MeasurementList();
    const runCalibration: RunCalibration = (s, onStream) =>
      phase(
        `via null proxy (calibration: every other request held ${scenario.calibrate!.delayMs} ms)`,
        { phase: 'calibration' },
        proxy!.url,
        s,
        processReaders({ proxy, upstream }),
        scenario.calibrate!.seconds,
        onStream,
      );
    const calibration = scenario.calibrate ? await calibrate(scenario.calibrate, direct_, proxy!, runCalibration, m) : null;

    // Alternate the phases round by round so a noisy machine disturbs every side alike.
    const parts: Record<ComparePhase, PhaseResult[]> = { direct: [], 'null-proxy': [], gateway: [] };
    const rounds = order.length > 1 ? scenario.rounds : 1;
    for (let r = 1; r <= rounds; r++) {
      const tag = rounds > 1 ? ` (round ${r}/${rounds})` : '';
      for (const which of order)
        parts[which].push(await runOne(which, tag, undefined, { phase: which, ...(rounds > 1 ? { round: r } : {}) }));
    }
    const merged = (which: ComparePhase) => (parts[which].length ? mergePhases(parts[which]) : null);
    const gateway = merged('gateway')!;
    const direct = merged('direct');
    const nullProxy = merged('null-proxy');

    addPhaseMeasurements(m, '', gateway, isOpenLoop(model), fidelity);
    if (slo) addSloMeasurements(m, slo.tally, windowSeconds(gateway.stats));
    if (direct) {
      addPhaseMeasurements(m, 'direct_', direct, isOpenLoop(model), fidelity);
      addAddedMeasurements(m, gateway, direct);
    }
    if (nullProxy) {
      addPhaseMeasurements(m, 'proxy_', nullProxy, isOpenLoop(model), fidelity);
      if (direct) addAddedMeasurements(m, nullProxy, direct, 'added_hop_');
      addAddedMeasurements(m, gateway, nullProxy, 'added_over_proxy_');
      checks.push(addedSplitCheck(m, direct !== null));
    }
    if (calibration) checks.push(calibration.check);
    if (servers.gateway) {
      const samples = samplesIn(servers.gateway.samples, gateway.windows);
      addGatewayGauges(m, summarizeSamples(samples));
      checks.push({ name: 'memory', ok: true, message: `${samples.length} gateway samples (every 100 ms)`, detail: sampleSeries(samples) });
    }
    if (scenario.reader) addSlowReaderMeasurements(m, gateway, inputs, servers);
    const phases: Array<readonly [string, PhaseResult]> = [
      ['gateway phase', gateway],
      ...(direct ? ([['direct phase', direct]] as const) : []),
      ...(nullProxy ? ([['null-proxy phase', nullProxy]] as const) : []),
      ...(calibration?.phases ?? []),
    ];
    checks.push(driverCheck(phases));
    const drops = listenDropCheck(phases);
    if (drops) checks.push(drops);
    const result = benchCase({
      name: caseName,
      startedMs: started,
      measurements: m,
      thresholds: scenario.thresholds,
      checks,
      notApplicable: notMeasured(external, live, Boolean(upstream)),
    });
    attachFailureDetail(result.checks, gateway, direct, nullProxy);
    const charted = [
      ...(direct ? [{ phase: 'direct', result: direct }] : []),
      ...(nullProxy ? [{ phase: 'null-proxy', result: nullProxy }] : []),
      { phase: 'gateway', result: gateway },
    ];
    result.load = loadDetail(charted, recorder.points, servers.gateway?.samples);
    return benchScenario(scenario.name, file, scenario.kind, started, [result]);
  } finally {
    await proxy?.close();
    await servers.close();
  }
}

function scopeOf(scope: string, order: readonly ComparePhase[], proxy: ServerProcess | null): string {
  const proxyNote = proxy ? `, null proxy in another (pid ${proxy.pid})` : '';
  return `${scope}${proxyNote}; phases per round: ${order.join(', ')}`;
}

/** How the added latency splits: one more hop (null proxy − direct) and the gateway itself (gateway − null proxy). */
function addedSplitCheck(m: MeasurementList, withDirect: boolean): CheckResult {
  const f = (n: string) => {
    const v = m.get(n);
    return v === undefined ? '—' : `${v.toFixed(3)} ms`;
  };
  const lines = (['p50', 'p90', 'p99'] as const).map(
    (p) =>
      `TTFT ${p}: ${withDirect ? `added ${f(`added_ttft_${p}_ms`)} = one more hop ${f(`added_hop_ttft_${p}_ms`)} + ` : ''}gateway itself ${f(`added_over_proxy_ttft_${p}_ms`)}`,
  );
  return { name: 'added latency', ok: true, message: lines[0]!, detail: lines.join('\n') };
}

/** One phase; `place` names it in requests.jsonl (default: its ComparePhase). */
type RunOne = (which: ComparePhase, tag: string, seconds?: number, place?: Pick<RequestPlace, 'phase' | 'round'>) => Promise<PhaseResult>;

/** The calibration's phase: these sources through the null proxy, each measured stream handed to onStream. */
type RunCalibration = (sources: PhaseOptions['sources'], onStream: NonNullable<PhaseOptions['onStream']>) => Promise<PhaseResult>;

const DELAYED = ' (+delay)';

/**
 * The calibration: one phase through the null proxy in which every other request asks the proxy
 * to hold it delayMs. Each held request is paired with the plain one launched next to it: the two
 * share the same load, the same moment and the same hop, so the median of their TTFT differences
 * must be the delay as the proxy applied it (timers fire late), within the tolerance and measured
 * at least that precisely; otherwise the measuring chain does not see latency as it is and the
 * run's figures are not valid. (Three phases one after another — direct, proxy, delayed proxy —
 * were tried first: under a closed loop of 1,000 streams each phase queued differently, and the
 * comparison measured that, tens of ms, not the chain. A difference of the two halves' medians
 * came next: right on average, but the load's swings during the phase widened its uncertainty.)
 */
async function calibrate(
  c: NonNullable<LoadScenario['calibrate']>,
  plain: PhaseOptions['sources'],
  proxy: ServerProcess,
  runCalibration: RunCalibration,
  m: MeasurementList,
): Promise<{ check: CheckResult; phases: Array<readonly [string, PhaseResult]> }> {
  // Sources go round-robin: plain and delayed alternate request by request.
  const sources = plain.flatMap((s) => [
    s,
    {
      ...s,
      label: `${s.label}${DELAYED}`,
      request: { ...s.request, headers: { ...s.request.headers, [DELAY_HEADER]: String(c.delayMs) } },
    },
  ]);
  const held = new Set(sources.filter((_, i) => i % 2 === 1).map((s) => s.label));
  const samples: LaunchedSample[] = [];
  await proxy.takeProxyDelayStats(); // a fresh record for this phase
  const phase = await runCalibration(sources, (record, _origin, _end, meta) => {
    if (record.timings.ttftNs === null || record.failure || record.cut) return;
    samples.push({ atNs: meta.offsetNs, valueNs: record.timings.ttftNs, marked: held.has(meta.source) });
  });
  const applied = await proxy.takeProxyDelayStats();
  const shift = medianWithInterval(pairedDifferencesMs(samples));
  const verdict = judgeCalibration({
    pairs: shift.count,
    delayMs: c.delayMs,
    toleranceMs: c.toleranceMs,
    appliedP50Ms: applied.p50Ms,
    shiftMs: shift.median,
    ciHalfWidthMs: shift.ci95HalfWidth,
    plainP50Ms: halfMedianMs(samples, false),
    delayedP50Ms: halfMedianMs(samples, true),
  });
  m.add('calibration_added_ttft_p50_ms', verdict.measuredMs);
  m.add('calibration_expected_ttft_p50_ms', verdict.expectedMs);
  m.add('calibration_delay_applied_p50_ms', applied.p50Ms);
  m.add('calibration_error_ms', verdict.errorMs);
  if (Number.isFinite(verdict.ciHalfWidthMs)) m.add('calibration_ci95_ms', verdict.ciHalfWidthMs);
  return { check: verdict.check, phases: [['calibration phase', phase]] };
}

/** TTFT p50 of one half of the calibration (held or plain), ms. */
function halfMedianMs(samples: readonly LaunchedSample[], marked: boolean): number {
  return medianWithInterval(samples.filter((x) => x.marked === marked).map((x) => x.valueNs / 1e6)).median;
}

export interface CalibrationInput {
  /** Pairs measured: a held request and the plain one launched next to it, both with a TTFT. */
  pairs: number;
  delayMs: number;
  toleranceMs: number;
  /** The delay as the proxy applied it, p50. */
  appliedP50Ms: number;
  /** The median over the pairs of held − plain TTFT, and half its 95% confidence interval. */
  shiftMs: number;
  ciHalfWidthMs: number;
  /** TTFT p50 of the requests the proxy forwarded at once, and of those it held (context). */
  plainP50Ms: number;
  delayedP50Ms: number;
}

/**
 * measured = the median shift over the pairs; expected = the delay as applied. Valid when
 * |measured − expected| ≤ tolerance and the measurement is precise enough to tell: its 95%
 * interval no wider than ± the tolerance. (At saturation TTFT spreads over tens of ms, and a
 * median of a few hundred differences moves by more than a ms from sampling alone: a pass there
 * would be luck, and a miss would not say whether the chain or the sample was off.)
 */
export function judgeCalibration(i: CalibrationInput): {
  measuredMs: number;
  expectedMs: number;
  errorMs: number;
  ciHalfWidthMs: number;
  check: CheckResult;
} {
  const measuredMs = i.shiftMs;
  const expectedMs = i.appliedP50Ms;
  const errorMs = measuredMs - expectedMs;
  const precise = i.ciHalfWidthMs <= i.toleranceMs;
  // No measured pair (all warm-up, or cut) would compare zeros: never a pass.
  const ok = i.pairs > 0 && precise && Math.abs(errorMs) <= i.toleranceMs;
  const ci = Number.isFinite(i.ciHalfWidthMs) ? `±${i.ciHalfWidthMs.toFixed(3)} ms` : 'unknown (fewer than 2 pairs)';
  const detail = `injected ${i.delayMs} ms into every other request, applied p50 ${i.appliedP50Ms.toFixed(3)} ms (as the proxy measured it); TTFT p50 through the null proxy: ${i.plainP50Ms.toFixed(3)} ms forwarded at once, ${i.delayedP50Ms.toFixed(3)} ms held; ${i.pairs} pairs (a held request and the plain one launched next to it); 95% interval of the median difference ${ci}`;
  const reasons = [
    ...(i.pairs === 0
      ? ['the calibration measured no pair of requests (all warm-up or cut: give calibrate.seconds more than the warm-up)']
      : []),
    ...(i.pairs > 0 && !precise
      ? [
          `too noisy to tell: the median difference is known only to ${ci} (95%), wider than the tolerance, because TTFT spreads too much at this load for the pairs measured (give calibrate.seconds more time, or the machine more room)`,
        ]
      : []),
  ];
  const summary = `${reasons.map((r) => `${r}; `).join('')}held requests' TTFT − their neighbours' (median of ${i.pairs} pairs) ${measuredMs.toFixed(3)} ms (95% interval ${ci}), expected ${expectedMs.toFixed(3)} ms (the delay as applied): off by ${errorMs.toFixed(3)} ms, tolerance ±${i.toleranceMs} ms`;
  return {
    measuredMs,
    expectedMs,
    errorMs,
    ciHalfWidthMs: i.ciHalfWidthMs,
    check: ok
      ? { name: 'calibration', ok: true, message: `the measuring chain sees a known delay: ${summary}`, detail }
      : {
          name: 'calibration',
          ok: false,
          message: `the measuring chain does not see a known delay correctly, so these figures are not valid: ${summary}`,
          detail,
        },
  };
}

/**
 * No connection attempt may have been dropped by the kernel during a phase: a dropped SYN is
 * retried 1 s later, so the latency figures would hold seconds that no process spent.
 */
export function listenDropCheck(phases: ReadonlyArray<readonly [string, PhaseResult]>): CheckResult | null {
  const measured = phases.filter(([, p]) => p.listenOverflows !== null);
  if (measured.length === 0) return null;
  const dropped = measured.filter(([, p]) => p.listenOverflows! > 0);
  const detail = measured.map(([label, p]) => `${label}: ${p.listenOverflows} dropped`).join('\n');
  if (dropped.length === 0)
    return {
      name: 'connections',
      ok: true,
      message: 'the kernel dropped no connection attempt during any phase (listen queues never full)',
      detail,
    };
  return {
    name: 'connections',
    ok: false,
    message: `the kernel dropped connection attempts on a full listen queue (machine-wide TcpExt ListenOverflows), so those clients waited 1 s or more for a SYN retransmit and the latency figures are not valid: ${dropped.map(([label, p]) => `${label}: ${p.listenOverflows}`).join('; ')}`,
    detail,
  };
}

/** The driver must not have been the bottleneck in any phase; otherwise the figures are not valid. */
export function driverCheck(phases: ReadonlyArray<readonly [string, PhaseResult]>): CheckResult {
  const problems = phases.flatMap(([label, p]) => p.health.reasons.map((r) => `${label}: ${r}`));
  const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
  const detail = phases
    .map(([label, p]) => {
      const cores = coresUsed(p);
      const wait = cpuWait(p, 'driver');
      return `${label}: event-loop delay p99 ${p.health.eventLoopDelayP99Ms.toFixed(1)} ms (max ${p.health.eventLoopDelayMaxMs.toFixed(1)}), utilisation ${percent(p.health.eventLoopUtilization)}, CPU ${percent(p.health.cpu)}${wait === null ? '' : `, waited for a core ${percent(wait)} of the time`}${cores === null ? '' : `; the phase's processes together ${cores.toFixed(2)} of ${MACHINE_CORES} cores`}`;
    })
    .join('\n');
  // Saturation with the machine's cores all taken is contention, not the driver alone; and a
  // driver that waited for a core was not busy, whatever held the core.
  const busiest = Math.max(...phases.map(([, p]) => coresUsed(p) ?? 0));
  const longestWait = Math.max(...phases.map(([, p]) => cpuWait(p, 'driver') ?? 0));
  const advice =
    busiest >= MACHINE_CORES - 0.5
      ? `The run's own processes kept up to ${busiest.toFixed(2)} of this machine's ${MACHINE_CORES} cores busy: they queued for CPU. Run on more cores, or lower the load.`
      : longestWait >= 0.1
        ? `The driver was ready to run but waited for a core ${percent(longestWait)} of a phase while the run's own processes used ${busiest.toFixed(2)} of ${MACHINE_CORES} cores: the figures hold that wait, which is not the gateway's doing. Run on a quieter machine or on more cores.`
        : 'Lower the load or give the driver a core.';
  return problems.length === 0
    ? { name: 'driver', ok: true, message: 'the load driver kept up (its figures are valid)', detail }
    : {
        name: 'driver',
        ok: false,
        message: `the load driver saturated, so these figures would blame the gateway for the driver: ${problems.join('; ')}. ${advice}`,
        detail,
      };
}

function addSlowReaderMeasurements(
  m: MeasurementList,
  phase: PhaseResult,
  inputs: ReturnType<typeof loadInputs>,
  servers: Awaited<ReturnType<typeof startLoadServers>>,
): void {
  const bodyBytes = new Map(inputs.map((i) => [i.cassette.name, cassetteBody(i.cassette).length]));
  let offered = 0;
  for (const [label, n] of Object.entries(phase.perSource)) offered += n * (bodyBytes.get(label) ?? 0);
  m.add('slow_client_backlog_mb', Math.max(0, offered - phase.bytesReceived) / 1e6);
  if (servers.replayProcess) {
    const g = summarizeSamples(samplesIn(servers.replayProcess.samples, phase.windows));
    m.add('upstream_ahead_of_client_mb', Math.max(0, g.bytesWrittenLast - g.bytesWrittenFirst - phase.bytesReceived) / 1e6);
  }
}

/** Failed error and fidelity thresholds get a sample of what went wrong. */
export function attachFailureDetail(
  checks: CheckResult[],
  gateway: PhaseResult,
  direct: PhaseResult | null,
  nullProxy: PhaseResult | null = null,
): void {
  for (const c of checks) {
    if (c.ok || !c.name.startsWith('threshold:')) continue;
    const phase =
      c.name.startsWith('threshold:direct_') && direct ? direct : c.name.startsWith('threshold:proxy_') && nullProxy ? nullProxy : gateway;
    if (/errors/.test(c.name)) {
      const samples = Object.entries(phase.stats.errorSamples).map(
        ([cls, msg]) => `${cls} (${phase.stats.errors[cls as keyof typeof phase.stats.errors]}): ${msg}`,
      );
      if (samples.length) c.detail = samples.join('\n');
    } else if (/frames|mismatched/.test(c.name) && phase.stats.mismatchSample) {
      c.detail = phase.stats.mismatchSample;
    }
  }
}

/** Why a figure was not measured in this run (reported as n/a, never as 0), or null when it was. */
export function notMeasured(external: boolean, live: boolean, upstreamOwnProcess: boolean): (name: string) => string | null {
  const gatewayNotSampled = externalGatewayNotSampled(external);
  return (name) =>
    gatewayNotSampled(name) ??
    (live && /frames|mismatched/.test(name) ? 'live upstream: no golden to compare with' : null) ??
    (!upstreamOwnProcess && /upstream_cpu_us_per_event$/.test(name)
      ? "the replay upstream runs in the driver's process: its CPU is part of driver_cpu_us_per_event"
      : null);
}
