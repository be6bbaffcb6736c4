// `kind: soak`: a warm-up, a full GC, then at least `tokens` tokens streamed through the gateway
// (bounded by maxSeconds too), then another full GC: the heap after it is compared with the heap
// after warm-up, so a leak of any per-stream object shows as growth.
import type { ScenarioContext } from '../../kind.ts';
import { loadCassette } from '../../../cassette/cassette.ts';
import type { CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { benchCase, benchScenario, externalGatewayNotSampled } from '../../../load/bench-case.ts';
import { openGatewayLoad } from '../../../load/gateway-load.ts';
import { processReaders } from '../../../load/load-servers.ts';
import { MeasurementList } from '../../../load/measurements.ts';
import { runPhase, type PhaseOptions } from '../../../load/phase.ts';
import { addGatewayGauges, addPhaseMeasurements } from '../../../load/phase-measurements.ts';
import { describeModel, type LoadModel } from '../../../load/schedule.ts';
import { sampleSeries, samplesBetween, summarizeSamples } from '../../../load/server-samples.ts';
import { loadInputs, tokensPerStream } from '../../../load/stream-sources.ts';
import type { SoakScenario } from './schema.ts';
import { attachFailureDetail, driverCheck, listenDropCheck } from '../load/run.ts';

export async function runSoakScenario(scenario: SoakScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file, fixtureFiles } = ctx;
  const started = performance.now();
  const inputs = loadInputs(file, fixtureFiles.map(loadCassette), scenario.synthetic);
  const model: LoadModel = { type: 'closed', concurrency: scenario.concurrency, rampUpMs: 0 };
  const perStream = inputs.reduce((n, i) => n + tokensPerStream(i), 0) / inputs.length;
  if (perStream <= 0) throw new Error(`${file}: the soak's streams carry no tokens`);
  const { external, mode, fidelity, servers, sources } = await openGatewayLoad(file, inputs, scenario, ctx);
  try {
    const base: Omit<PhaseOptions, 'label' | 'bounds'> = {
      origin: servers.gatewayUrl,
      sources,
      model,
      timeouts: {
        headersMs: scenario.timeouts.headersSeconds * 1000,
        idleMs: scenario.timeouts.idleSeconds * 1000,
        streamMs: scenario.timeouts.streamSeconds * 1000,
      },
      stallMs: scenario.stallMs,
      onEnd: 'drain',
      drainMs: scenario.timeouts.streamSeconds * 1000,
      driverLimits: scenario.driver,
      progress: ctx.progress,
      processes: processReaders({ gateway: servers.gateway, upstream: servers.replayProcess }),
    };
    // Warm-up: every request is warm-up (none is measured); bounded by count and time.
    const warmupRequests = scenario.warmup.requests > 0 ? scenario.warmup.requests : scenario.concurrency;
    const warmupMs = scenario.warmup.seconds > 0 ? scenario.warmup.seconds * 1000 : 60_000;
    await runPhase({
      ...base,
      label: `${scenario.name} warm-up`,
      bounds: { maxRequests: warmupRequests, maxDurationMs: warmupMs, warmupRequests: Number.MAX_SAFE_INTEGER, warmupMs: 0 },
    });
    const afterWarmup = await servers.gateway?.gc();

    const requests = Math.ceil(scenario.tokens / perStream);
    const soak = await runPhase({
      ...base,
      label: `${scenario.name} soak`,
      bounds: { maxRequests: requests, maxDurationMs: scenario.maxSeconds * 1000, warmupRequests: 0, warmupMs: 0 },
    });
    const afterRun = await servers.gateway?.gc();

    const m = new MeasurementList();
    m.add('tokens_streamed', soak.stats.tokens);
    addPhaseMeasurements(m, '', soak, false, fidelity);
    const checks: CheckResult[] = [
      {
        name: 'scope',
        ok: true,
        message: `${describeModel(model)}, ${requests} streams of ~${Math.round(perStream)} tokens; ${servers.scope}`,
      },
    ];
    if (servers.gateway && afterWarmup && afterRun) {
      const mb = (n: number) => n / 1e6;
      m.add('heap_after_warmup_mb', mb(afterWarmup.heapUsed));
      m.add('heap_after_run_mb', mb(afterRun.heapUsed));
      m.add('heap_growth_mb', mb(afterRun.heapUsed - afterWarmup.heapUsed));
      m.add('rss_after_warmup_mb', mb(afterWarmup.rss));
      m.add('rss_after_run_mb', mb(afterRun.rss));
      m.add('rss_growth_mb', mb(afterRun.rss - afterWarmup.rss));
      const samples = samplesBetween(servers.gateway.samples, soak.startedAtMs, soak.endedAtMs);
      addGatewayGauges(m, summarizeSamples(samples));
      checks.push({
        name: 'memory',
        ok: true,
        message: `heap after GC: ${mb(afterWarmup.heapUsed).toFixed(2)} MB after warm-up, ${mb(afterRun.heapUsed).toFixed(2)} MB after ${soak.stats.tokens} tokens`,
        detail: sampleSeries(samples),
      });
    }
    checks.push(driverCheck([['soak', soak]]));
    const drops = listenDropCheck([['soak', soak]]);
    if (drops) checks.push(drops);
    const result = benchCase({
      name: `${scenario.name} [${mode}]`,
      startedMs: started,
      measurements: m,
      thresholds: scenario.thresholds,
      checks,
      notApplicable: externalGatewayNotSampled(external),
    });
    attachFailureDetail(result.checks, soak, null);
    return benchScenario(scenario.name, file, scenario.kind, started, [result]);
  } finally {
    await servers.close();
  }
}
