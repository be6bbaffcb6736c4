// `kind: http-load`: the gateway's non-streaming path under autocannon: one cassette bound on the
// replay upstream, every response body compared with the cassette's golden.
import type { ScenarioContext } from '../../kind.ts';
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { goldenPath, loadCassette } from '../../../cassette/cassette.ts';
import { InputError } from '../../../base/errors.ts';
import type { CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { addressRequest } from '../../../target/profile.ts';
import { runHttpLoad } from './autocannon.ts';
import { benchCase, benchScenario, externalGatewayNotSampled } from '../../../load/bench-case.ts';
import { watchDriver } from '../../../load/driver-health.ts';
import { summarizeMs } from '../../../load/histogram.ts';
import { startLoadServers } from '../../../load/load-servers.ts';
import { MeasurementList } from '../../../load/measurements.ts';
import { addDriverMeasurements } from '../../../load/phase-measurements.ts';
import { samplesBetween, summarizeSamples } from '../../../load/server-samples.ts';
import type { HttpLoadScenario } from './schema.ts';

export async function runHttpLoadScenario(scenario: HttpLoadScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file, fixtureFiles } = ctx;
  const started = performance.now();
  const cassette = loadCassette(fixtureFiles[0]!);
  if (cassette.streaming)
    throw new InputError(file, null, `${cassette.name} is a streaming cassette; http-load measures the non-streaming path`);
  const external = ctx.target.external;
  const mode = external ? ctx.target.profile.golden : scenario.mode;
  const golden = goldenPath(cassette, mode);
  if (!existsSync(golden)) throw new InputError(file, null, `no golden at ${relative(process.cwd(), golden)} for ${cassette.name}`);
  // Masked fields can differ per response; with masks the body is not compared.
  const expectBody = external && ctx.target.profile.masks.length > 0 ? null : readFileSync(golden, 'utf8');
  const input = { cassette, plan: { slot: cassette.provider, cassetteFile: cassette.file }, syntheticTokens: null };
  const servers = await startLoadServers([input], { target: ctx.target, replay: ctx.replay, mode, speed: 0, live: false });
  try {
    const address = addressRequest(
      ctx.target.profile,
      cassette.provider,
      String(cassette.request.body['model']),
      servers.upstreamBase(cassette.provider),
    );
    const request = {
      url: `${servers.gatewayUrl}${ctx.target.profile.chatPath}`,
      headers: { 'content-type': 'application/json', ...cassette.request.headers, ...address.headers },
      body: JSON.stringify({ ...cassette.request.body, model: address.model }),
      connections: scenario.connections,
      timeoutSeconds: scenario.timeoutSeconds,
      expectBody,
    };
    if (scenario.warmupSeconds > 0) {
      await runHttpLoad({ ...request, seconds: scenario.warmupSeconds, maxRequests: scenario.duration.requests });
    }
    await servers.gateway?.gc();
    const startedAtMs = Number(process.hrtime.bigint()) / 1e6;
    const monitor = watchDriver(scenario.driver);
    const r = await runHttpLoad({ ...request, seconds: scenario.duration.seconds, maxRequests: scenario.duration.requests });
    const health = monitor.stop();
    const endedAtMs = Number(process.hrtime.bigint()) / 1e6;

    const m = new MeasurementList();
    m.add('requests', r.responses);
    m.add('requests_per_s', r.responses / r.seconds);
    m.add('mb_per_s', r.bytes / 1e6 / r.seconds);
    const lat = summarizeMs(r.latency);
    m.add('latency_p50_ms', lat.p50);
    m.add('latency_p90_ms', lat.p90);
    m.add('latency_p99_ms', lat.p99);
    m.add('latency_max_ms', lat.max);
    m.add('errors', r.errors);
    m.add('timeouts', r.timeouts);
    m.add('non_2xx', r.non2xx);
    m.add('mismatches', r.mismatches);
    addDriverMeasurements(m, '', health);
    if (servers.gateway) {
      const g = summarizeSamples(samplesBetween(servers.gateway.samples, startedAtMs, endedAtMs));
      m.add('gateway_cpu_mean', g.cpuMean);
      m.add('gateway_elu_max', g.eluMax);
    }
    const checks: CheckResult[] = [
      {
        name: 'scope',
        ok: true,
        message: `autocannon, ${scenario.connections} connections, ${cassette.name}${expectBody === null ? ' (bodies not compared: the target profile masks fields)' : ', every body compared with the golden'}; ${servers.scope}`,
      },
      health.valid
        ? { name: 'driver', ok: true, message: 'the load driver kept up (its figures are valid)' }
        : {
            name: 'driver',
            ok: false,
            message: `the load driver (autocannon, single-threaded) saturated: ${health.reasons.join('; ')}. Use fewer connections.`,
          },
    ];
    const result = benchCase({
      name: `${scenario.name} [${mode}]`,
      startedMs: started,
      measurements: m,
      thresholds: scenario.thresholds,
      checks,
      notApplicable: externalGatewayNotSampled(external),
    });
    return benchScenario(scenario.name, file, scenario.kind, started, [result]);
  } finally {
    await servers.close();
  }
}
