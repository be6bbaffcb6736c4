// `load: { model: sweep }`: the gateway phase run at rising load, one time-bounded step at a time,
// until a step triggers a stopWhen condition (saturation) or the last step ran. Each step is a
// case with its own figures (offered load, latency percentiles, errors, goodput when an SLO is
// set); a final case reports the knee (the highest step before saturation) with the knee step's
// figures, and the scenario's thresholds are checked there.
import type { ScenarioContext } from '../../kind.ts';
import { loadCassette } from '../../../cassette/cassette.ts';
import type { CaseResult, CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { describeSlo } from '../../../checks/slo.ts';
import { benchCase, benchScenario } from '../../../load/bench-case.ts';
import { openGatewayLoad } from '../../../load/gateway-load.ts';
import { windowSeconds } from '../../../load/load-stats.ts';
import { MeasurementList } from '../../../load/measurements.ts';
import { runPhase } from '../../../load/phase.ts';
import { addGatewayGauges, addPhaseMeasurements } from '../../../load/phase-measurements.ts';
import { describeModel, isOpenLoop, type LoadModel } from '../../../load/schedule.ts';
import { samplesIn, summarizeSamples } from '../../../load/server-samples.ts';
import { addSloMeasurements, sloRecorder } from '../../../load/slo-measurements.ts';
import { composeOnStream, requestRecorder } from '../../../load/request-log.ts';
import { loadInputs } from '../../../load/stream-sources.ts';
import { findKnee, judgeStep, planSteps, stopConditions, type StepVerdict, type SweepModel } from '../../../load/sweep.ts';
import { driverCheck, notMeasured } from './run.ts';
import type { LoadScenario } from './schema.ts';
import { phaseBounds, phaseSettings } from './phase-settings.ts';
import { planWorkload, shapeInputs } from './workload-sources.ts';

/** The load model of one step. */
export function stepModel(sweep: SweepModel, value: number): LoadModel {
  if (sweep.over === 'concurrency') return { type: 'closed', concurrency: value, rampUpMs: 0 };
  return sweep.arrival === 'poisson'
    ? { type: 'poisson', rate: value, seed: sweep.seed, maxInFlight: sweep.maxInFlight }
    : { type: 'constant', rate: value, maxInFlight: sweep.maxInFlight };
}

export async function runSweepScenario(scenario: LoadScenario & { load: SweepModel }, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file, fixtureFiles } = ctx;
  const sweep = scenario.load;
  const started = performance.now();
  const inputs = shapeInputs(loadInputs(file, fixtureFiles.map(loadCassette), scenario.synthetic), scenario.workload);
  const values = planSteps(sweep);
  const conditions = stopConditions(sweep);
  const buildSources = planWorkload(scenario, file);
  const opened = await openGatewayLoad(file, inputs, scenario, ctx);
  const { external, live, mode, fidelity, servers } = opened;
  const sources = buildSources(opened.sources);
  const unit = sweep.over === 'rate' ? 'req/s' : 'streams';
  const cases: CaseResult[] = [];
  const judged: Array<{ value: number; verdict: StepVerdict; measurements: MeasurementList; valid: boolean }> = [];
  try {
    for (const [i, value] of values.entries()) {
      if (ctx.signal.aborted) break;
      const stepStarted = performance.now();
      const model = stepModel(sweep, value);
      const stepCase = `${scenario.name} [${mode}] step ${i + 1}: ${value} ${unit}`;
      const slo = scenario.slo ? sloRecorder(scenario.slo) : null;
      // Each step starts from a collected heap, so its samples show that step alone.
      await servers.gateway?.gc();
      const phase = await runPhase({
        label: `${scenario.name} step ${i + 1}/${values.length} (${value} ${unit})`,
        origin: servers.gatewayUrl,
        sources,
        model,
        bounds: phaseBounds(scenario, sweep.stepSeconds),
        ...phaseSettings(scenario),
        // A step's stragglers must not run into the next step: cut them when the step ends.
        onEnd: 'cut',
        progress: ctx.progress,
        onStream: composeOnStream(
          slo?.onStream,
          requestRecorder(ctx.requests, {
            scenario: scenario.name,
            case: stepCase,
            phase: 'step',
            step: i + 1,
            stepValue: value,
          }),
        ),
      });
      const m = new MeasurementList();
      m.add(sweep.over === 'rate' ? 'step_rate' : 'step_concurrency', value);
      addPhaseMeasurements(m, '', phase, isOpenLoop(model), fidelity);
      if (slo) addSloMeasurements(m, slo.tally, windowSeconds(phase.stats));
      if (servers.gateway) addGatewayGauges(m, summarizeSamples(samplesIn(servers.gateway.samples, phase.windows)));
      const figures = Object.fromEntries(m.items.map((x) => [x.name, x.value]));
      const verdict = judgeStep(conditions, { value, streams: phase.stats.streams, measurements: figures });
      const driver = driverCheck([[`step ${i + 1}`, phase]]);
      // A step whose driver saturated says nothing about the gateway: it ends the sweep as invalid.
      const saturated = verdict.triggered.length > 0;
      const stepCheck: CheckResult = {
        name: 'step',
        ok: true,
        message: saturated
          ? `saturated at ${value} ${unit}: ${verdict.triggered.join('; ')}`
          : `within every stopWhen condition at ${value} ${unit}`,
        ...(verdict.missing.length ? { detail: `not measured in this step: ${verdict.missing.join(', ')}` } : {}),
      };
      cases.push(
        benchCase({
          name: stepCase,
          startedMs: stepStarted,
          measurements: m,
          thresholds: {},
          checks: [{ name: 'scope', ok: true, message: describeModel(model) }, stepCheck, driver],
        }),
      );
      judged.push({ value, verdict, measurements: m, valid: driver.ok });
      if (saturated || !driver.ok) break;
    }
  } finally {
    await servers.close();
  }

  const valid = judged.filter((s) => s.valid);
  const outcome = findKnee(valid);
  const kneeStep = valid.find((s) => s.value === outcome.knee);
  const m = new MeasurementList();
  m.add(sweep.over === 'rate' ? 'knee_rate' : 'knee_concurrency', outcome.knee ?? 0);
  m.add('sweep_steps', judged.length);
  if (kneeStep) for (const x of kneeStep.measurements.items) if (!/^step_/.test(x.name)) m.add(x.name, x.value);
  const table = judged
    .map((s) => {
      const f = (n: string) => s.measurements.get(n);
      const slo = f('slo_attainment') !== undefined ? `, SLO attainment ${f('slo_attainment')}, goodput ${f('goodput_rps')} req/s` : '';
      return `${s.value} ${unit}: TTFT p99 ${f('ttft_p99_ms')} ms, ITL p99 ${f('itl_p99_ms')} ms, E2E p99 ${f('e2e_p99_ms')} ms, errors ${f('errors')}/${f('streams')}${slo}${s.verdict.triggered.length ? ` (saturated: ${s.verdict.triggered.join('; ')})` : ''}`;
    })
    .join('\n');
  const kneeText =
    outcome.knee === null
      ? `no step met every stopWhen condition (the first, ${values[0]} ${unit}, already saturated)`
      : outcome.saturatedAt === null
        ? `knee at least ${outcome.knee} ${unit}: the last step (${values.at(-1)} ${unit}) had not saturated${judged.length < values.length ? ' (the sweep stopped early)' : ''}`
        : `knee ${outcome.knee} ${unit}: the highest step before saturation at ${outcome.saturatedAt} ${unit}`;
  const checks: CheckResult[] = [
    {
      name: 'scope',
      ok: true,
      message: `sweep over ${sweep.over} ${values.join(', ')} ${unit}, ${sweep.stepSeconds} s each; stop when ${conditions.map((c) => `${c.name} ${c.text}`).join(' or ')}${scenario.slo ? `; SLO ${describeSlo(scenario.slo)}` : ''}; ${servers.scope}`,
    },
    { name: 'knee', ok: true, message: kneeText, detail: table },
  ];
  cases.push(
    benchCase({
      name: `${scenario.name} [${mode}] knee`,
      startedMs: started,
      measurements: m,
      thresholds: scenario.thresholds,
      checks,
      // Sweep steps sample no process CPU but the driver's: no upstream figure to explain.
      notApplicable: notMeasured(external, live, true),
    }),
  );
  return benchScenario(scenario.name, file, scenario.kind, started, cases);
}
