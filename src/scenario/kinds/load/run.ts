// `kind: load`: streams through the gateway under a load model, every stream checked against its
// golden; optionally the same load straight at the replay upstream first, so the gateway-added
// latency (added_*) comes from one run on one machine; the gateway's memory sampled throughout.
import type { ScenarioContext } from '../../kind.ts';
import { loadCassette } from '../../../cassette/cassette.ts';
import type { CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { benchCase, benchScenario, externalGatewayNotSampled } from '../../../load/bench-case.ts';
import { openGatewayLoad } from '../../../load/gateway-load.ts';
import type { startLoadServers } from '../../../load/load-servers.ts';
import { MeasurementList } from '../../../load/measurements.ts';
import { mergePhases, runPhase, type PhaseOptions, type PhaseResult } from '../../../load/phase.ts';
import { addAddedMeasurements, addGatewayGauges, addPhaseMeasurements } from '../../../load/phase-measurements.ts';
import { describeModel, isOpenLoop, type LoadModel } from '../../../load/schedule.ts';
import { sampleSeries, samplesIn, summarizeSamples } from '../../../load/server-samples.ts';
import { directSources, loadInputs } from '../../../load/stream-sources.ts';
import { cassetteBody } from '../../../cassette/cassette.ts';
import type { LoadScenario } from './schema.ts';
import { planWorkload, shapeInputs } from './workload-sources.ts';
import { addSloMeasurements, sloRecorder } from '../../../load/slo-measurements.ts';
import { windowSeconds } from '../../../load/load-stats.ts';

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

export async function runLoadScenario(scenario: LoadScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file, fixtureFiles } = ctx;
  const started = performance.now();
  const inputs = shapeInputs(loadInputs(file, fixtureFiles.map(loadCassette), scenario.synthetic), scenario.workload);
  if (scenario.load.model === 'sweep') throw new Error('a sweep runs through runSweepScenario');
  const model = modelOf(scenario.load);
  const buildSources = planWorkload(scenario, file);
  const opened = await openGatewayLoad(file, inputs, scenario, ctx);
  const { external, live, mode, fidelity, servers } = opened;
  const sources = buildSources(opened.sources);
  try {
    const slo = scenario.slo ? sloRecorder(scenario.slo) : null;
    const phase = (label: string, origin: string, s: PhaseOptions['sources'], onStream?: PhaseOptions['onStream']): Promise<PhaseResult> =>
      runPhase({
        onStream,
        label: `${scenario.name} ${label}`,
        origin,
        sources: s,
        model,
        bounds: {
          maxRequests: scenario.duration.requests,
          maxDurationMs: scenario.duration.seconds * 1000,
          warmupRequests: scenario.warmup.requests,
          warmupMs: scenario.warmup.seconds * 1000,
        },
        timeouts: {
          headersMs: scenario.timeouts.headersSeconds * 1000,
          idleMs: scenario.timeouts.idleSeconds * 1000,
          streamMs: scenario.timeouts.streamSeconds * 1000,
        },
        slowReader: scenario.reader,
        stallMs: scenario.stallMs,
        onEnd: scenario.onEnd,
        drainMs: scenario.drainSeconds * 1000,
        driverLimits: scenario.driver,
        progress: ctx.progress,
      });

    // Alternate direct and gateway rounds so a noisy machine disturbs both sides alike.
    const directParts: PhaseResult[] = [];
    const gatewayParts: PhaseResult[] = [];
    const compare = scenario.compare === 'direct' && servers.replayUrl !== null;
    const rounds = compare ? scenario.rounds : 1;
    const direct_ = compare ? await directSources(inputs, servers.replayUrl!, fidelity) : [];
    for (let r = 1; r <= rounds; r++) {
      const tag = rounds > 1 ? ` (round ${r}/${rounds})` : '';
      if (compare) directParts.push(await phase(`direct to upstream${tag}`, servers.replayUrl!, direct_));
      // Start each gateway phase from a collected heap, so its samples show that phase alone.
      await servers.gateway?.gc();
      gatewayParts.push(await phase(`via gateway${tag}`, servers.gatewayUrl, sources, slo?.onStream));
    }
    const direct = compare ? mergePhases(directParts) : null;
    const gateway = mergePhases(gatewayParts);

    const m = new MeasurementList();
    addPhaseMeasurements(m, '', gateway, isOpenLoop(model), fidelity);
    if (slo) addSloMeasurements(m, slo.tally, windowSeconds(gateway.stats));
    if (direct) {
      addPhaseMeasurements(m, 'direct_', direct, isOpenLoop(model), fidelity);
      addAddedMeasurements(m, gateway, direct);
    }
    const checks: CheckResult[] = [{ name: 'scope', ok: true, message: `${describeModel(model)}; ${servers.scope}` }];
    if (servers.gateway) {
      const samples = samplesIn(servers.gateway.samples, gateway.windows);
      addGatewayGauges(m, summarizeSamples(samples));
      checks.push({ name: 'memory', ok: true, message: `${samples.length} gateway samples (every 100 ms)`, detail: sampleSeries(samples) });
    }
    if (scenario.reader) addSlowReaderMeasurements(m, gateway, inputs, servers);
    checks.push(driverCheck([['gateway phase', gateway], ...(direct ? ([['direct phase', direct]] as const) : [])]));
    const result = benchCase({
      name: `${scenario.name} [${mode}]`,
      startedMs: started,
      measurements: m,
      thresholds: scenario.thresholds,
      checks,
      notApplicable: (name) =>
        externalGatewayNotSampled(external)(name) ??
        (live && /frames|mismatched/.test(name) ? 'live upstream: no golden to compare with' : null),
    });
    attachFailureDetail(result.checks, gateway, direct);
    return benchScenario(scenario.name, file, scenario.kind, started, [result]);
  } finally {
    await servers.close();
  }
}

/** The driver must not have been the bottleneck in any phase; otherwise the figures are not valid. */
export function driverCheck(phases: ReadonlyArray<readonly [string, PhaseResult]>): CheckResult {
  const problems = phases.flatMap(([label, p]) => p.health.reasons.map((r) => `${label}: ${r}`));
  const detail = phases
    .map(
      ([label, p]) =>
        `${label}: event-loop delay p99 ${p.health.eventLoopDelayP99Ms.toFixed(1)} ms (max ${p.health.eventLoopDelayMaxMs.toFixed(1)}), utilisation ${(p.health.eventLoopUtilization * 100).toFixed(0)}%, CPU ${(p.health.cpu * 100).toFixed(0)}%`,
    )
    .join('\n');
  return problems.length === 0
    ? { name: 'driver', ok: true, message: 'the load driver kept up (its figures are valid)', detail }
    : {
        name: 'driver',
        ok: false,
        message: `the load driver saturated, so these figures would blame the gateway for the driver: ${problems.join('; ')}. Lower the load or give the driver a core.`,
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
export function attachFailureDetail(checks: CheckResult[], gateway: PhaseResult, direct: PhaseResult | null): void {
  for (const c of checks) {
    if (c.ok || !c.name.startsWith('threshold:')) continue;
    const phase = c.name.startsWith('threshold:direct_') && direct ? direct : gateway;
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
