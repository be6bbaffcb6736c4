// `kind: resilience`: the reference gateway in a process of its own (so its memory is its own),
// with production-like retries and short clocks; the replay upstream and the clients in this
// process, on one clock.
//
// 1. Recovery: streams whose first upstream attempt fails (5xx, 429, dropped or reset connection,
//    stall before/after headers) and whose second succeeds, a few at a time. Recovery time = from
//    the end of the failed attempt as the upstream saw it (its response sent, or its connection
//    closed by the gateway) to the first byte at the client; p50/p99/max per fault and overall.
// 2. Soak: rounds of N concurrent streams, a share of them with a fault of every kind: every
//    client must get its complete golden stream or a well-formed terminal error (or have left on
//    purpose), the gateway must stay up, no upstream request may stay open, and the gateway's
//    live heap (from a heap snapshot, once idle connections have expired) is compared with the
//    one after warm-up.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Cassette } from '../../../cassette/cassette.ts';
import { loadCassette } from '../../../cassette/cassette.ts';
import type { CheckResult, ScenarioResult } from '../../../checks/result.ts';
import type { GatewayConfig } from '../../../gateway/config.ts';
import { getProvider } from '../../../providers/index.ts';
import { type ReplayUpstream, startReplayUpstream } from '../../../replay/upstream.ts';
import { harnessGatewayConfig } from '../../../target/target.ts';
import { InputError } from '../../../base/errors.ts';
import { benchCase, benchScenario } from '../../../load/bench-case.ts';
import { watchDriver } from '../../../load/driver-health.ts';
import { createHistogram, type Histogram, recordNs, summarizeMs } from '../../../load/histogram.ts';
import { MeasurementList } from '../../../load/measurements.ts';
import { addDriverMeasurements, addGatewayGauges } from '../../../load/phase-measurements.ts';
import type { ServerSample } from '../../../load/server-messages.ts';
import { startGatewayProcess, type ServerProcess } from '../../../load/server-process.ts';
import { sampleSeries, samplesBetween, summarizeSamples } from '../../../load/server-samples.ts';
import { loadInputs, readGoldens } from '../../../load/stream-sources.ts';
import type { ScenarioContext } from '../../kind.ts';
import { type ClientCounters, runClientStream } from './client.ts';
import { CLEAN, type FaultKind, firstAttemptFailures, soakFaults } from './faults.ts';
import { judgeClient, type Verdict } from './outcome.ts';
import { ClientPlans } from './plans.ts';
import type { ResilienceScenario } from './schema.ts';
import { skippedScenario } from '../../../checks/result.ts';

/** Production-like retries over short clocks (a scenario's `gateway:` overrides them field by field). */
export const RESILIENCE_TIMEOUTS = { connectMs: 1_000, firstByteMs: 1_000, idleMs: 1_000, totalMs: 30_000 };
export const RESILIENCE_RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 200, maxRetryAfterMs: 1_000 };

/** Examples of what went wrong, kept per failure class for reports. */
const SAMPLES = 10;

interface Outcome {
  kind: FaultKind;
  verdict: Verdict;
  reason?: string;
  firstByteAt?: number;
  failedAt?: number;
  /** Upstream requests the gateway made for this client. */
  attempts: number;
}

type Tally = Record<Verdict | 'n' | 'unexpected', number>;

export async function runResilienceScenario(scenario: ResilienceScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file } = ctx;
  const started = performance.now();
  if (ctx.target.external) {
    // Recovery needs retries, short timeouts and a refused route with a fallback, set up here.
    return skippedScenario(
      scenario.name,
      file,
      scenario.kind,
      'a resilience run configures the reference gateway itself (retries, timeouts, a refused route)',
    );
  }
  const { cassette, golden } = readInput(file, ctx.fixtureFiles);
  const deadline = started + scenario.maxSeconds * 1000;
  const streamMs = scenario.streamSeconds * 1000;
  const failures = firstAttemptFailures(scenario.stallMs);
  const faults = soakFaults(cassette.response.chunks.length, scenario.stallMs);
  const model = String(cassette.request.body['model']);

  const plans = new ClientPlans();
  let speed = 0;
  const replay = await startReplayUpstream({ maxHangMs: scenario.stallMs, onExchange: (e) => plans.onExchange(e) });
  replay.choose(cassette.provider, (req) => ({ cassette, chunks: cassette.response.chunks, speed, fault: plans.faultFor(req) }));
  let gateway: ServerProcess | null = null;
  let agent = new Agent();
  try {
    const config = resilienceGatewayConfig(replay, cassette.provider, scenario.gateway, await closedPort());
    gateway = await startGatewayProcess(replay.url, 'normalize', { config, maxOldSpaceMb: scenario.gateway.heapMb });
    const gw = gateway;
    const counters: ClientCounters = { open: 0, events: 0, bytes: 0, failed: 0 };
    const chatUrl = `${gw.url}/v1/chat/completions`;
    const launch = async (kind: FaultKind): Promise<Outcome> => {
      const id = plans.add(kind);
      const body = { ...cassette.request.body, model: `${kind.down ? 'down' : cassette.provider}/${model}`, user: id };
      const client = await runClientStream(agent, chatUrl, body, kind.client ?? {}, streamMs, counters);
      const failedAt = plans.firstAttemptEnd(id);
      const attempts = plans.attemptsOf(id);
      plans.forget(id);
      return { kind, ...judgeClient(client, golden), firstByteAt: client.firstByteAt, failedAt, attempts };
    };
    const progress = (label: string) =>
      ctx.progress.start(`${scenario.name} ${label}`, () => ({
        activeStreams: counters.open,
        events: counters.events,
        errors: counters.failed,
        bytes: counters.bytes,
      }));

    // Warm-up, then the memory baseline, taken as the final figure will be: with no client
    // connection open and the gateway's idle upstream connections expired (idle pools are state,
    // not leaks; left open, the warm-up's would count in the baseline only).
    const warm = await Promise.all(Array.from({ length: scenario.warmup.streams }, () => launch(CLEAN)));
    const warmBroken = warm.filter((o) => o.verdict !== 'golden');
    await agent.close();
    agent = new Agent();
    await sleep(scenario.settle.idleSeconds * 1000);
    const baseline = await liveHeap(gw);

    // 1. Recovery, at low concurrency so that it measures the gateway, not a queue.
    const recovery = { all: createHistogram(), byFault: new Map<string, Histogram>(failures.map((f) => [f.slug, createHistogram()])) };
    const recoveryBroken: string[] = [];
    let recoveryRan = 0;
    progress('recovery');
    const driver = watchDriver(scenario.driver);
    const width = scenario.recovery.concurrency;
    for (let i = 0; i < scenario.recovery.streams && performance.now() < deadline; i += width) {
      const batch = Array.from({ length: Math.min(width, scenario.recovery.streams - i) }, (_, j) =>
        launch(failures[(i + j) % failures.length]!),
      );
      for (const o of await Promise.all(batch)) {
        recoveryRan++;
        if (o.verdict !== 'golden' || o.firstByteAt === undefined || o.failedAt === undefined) {
          const why = o.verdict !== 'golden' ? `${o.verdict}${o.reason ? `: ${o.reason}` : ''}` : 'golden, but no failed attempt was seen';
          recoveryBroken.push(`${o.kind.name}: ${why}`);
          continue;
        }
        const ns = (o.firstByteAt - o.failedAt) * 1e6;
        recordNs(recovery.all, ns);
        recordNs(recovery.byFault.get(o.kind.slug)!, ns);
      }
    }
    const driverHealth = driver.stop();
    ctx.progress.stop();
    const overall = summarizeMs(recovery.all);
    ctx.log(
      `${scenario.name}: recovery p50 ${overall.p50.toFixed(2)} ms, p99 ${overall.p99.toFixed(2)} ms, max ${overall.max.toFixed(2)} ms (n=${overall.count})`,
    );

    // 2. Soak: rounds of N concurrent paced streams, a share of them faulted.
    speed = scenario.soak.speed;
    const outcomes: Outcome[] = [];
    let roundsRan = 0;
    const soakFrom = hrMs();
    const soakStarted = performance.now();
    progress('soak');
    const soakDriver = watchDriver(scenario.driver);
    for (let r = 0; r < scenario.soak.rounds && performance.now() < deadline; r++) {
      const faulted = Math.round(scenario.soak.streams * scenario.soak.faultRate);
      const round = Array.from({ length: scenario.soak.streams }, (_, i) =>
        launch(i < faulted ? faults[(r * faulted + i) % faults.length]! : CLEAN),
      );
      outcomes.push(...(await Promise.all(round)));
      roundsRan++;
      ctx.log(`${scenario.name}: soak round ${r + 1}/${scenario.soak.rounds}: ${scenario.soak.streams} streams done`);
    }
    const soakDriverHealth = soakDriver.stop();
    ctx.progress.stop();
    const soakMs = performance.now() - soakStarted;
    const soakTo = hrMs();

    // Afterwards: nothing open upstream, the gateway idle and up, the heap compared with baseline.
    const settleStarted = performance.now();
    const settleFrom = hrMs();
    const closeBy = settleStarted + scenario.settle.closeSeconds * 1000;
    const idleNow = () => {
      const s = gw.samples[gw.samples.length - 1];
      return s !== undefined && s.atMs > settleFrom && s.inFlight === 0;
    };
    while ((replay.activeExchanges > 0 || !idleNow()) && performance.now() < closeBy && gw.running) await sleep(50);
    const upstreamOpen = replay.activeExchanges;
    const closeMs = performance.now() - settleStarted;
    // As for the baseline: close our connections and let the gateway's upstream pool expire.
    await agent.close();
    await sleep(scenario.settle.idleSeconds * 1000);
    const after = await liveHeap(gw);
    const probe = await probeGateway(gw.url);
    const alive = gw.running && probe.health === 200;

    // Measurements.
    const m = new MeasurementList();
    m.add('recovery_streams', recoveryRan);
    m.add('recovery_broken', recoveryBroken.length);
    // No percentile from an empty histogram: a threshold on it then fails as "not measured".
    if (overall.count > 0) addPercentiles(m, 'recovery', overall);
    for (const f of failures) {
      const s = summarizeMs(recovery.byFault.get(f.slug)!);
      if (s.count > 0) addPercentiles(m, `recovery_${f.slug}`, s);
    }
    addDriverMeasurements(m, '', driverHealth);
    const tally = tallyOutcomes(outcomes);
    const total = [...tally.values()].reduce(
      (t, k) => ({
        n: t.n + k.n,
        golden: t.golden + k.golden,
        error: t.error + k.error,
        aborted: t.aborted + k.aborted,
        broken: t.broken + k.broken,
        unexpected: t.unexpected + k.unexpected,
      }),
      { n: 0, golden: 0, error: 0, aborted: 0, broken: 0, unexpected: 0 },
    );
    m.add('soak_streams', total.n);
    m.add('soak_golden', total.golden);
    m.add('soak_terminal_errors', total.error);
    m.add('soak_aborted', total.aborted);
    m.add('soak_broken', total.broken);
    m.add('soak_unexpected', total.unexpected);
    m.add('soak_seconds', soakMs / 1000);
    // Reported, not gated: the soak judges outcomes, not timings, but a saturated upstream (it runs
    // here) is late to answer, and the gateway's timeouts then trip on healthy attempts.
    m.add('soak_driver_event_loop_delay_p99_ms', soakDriverHealth.eventLoopDelayP99Ms);
    m.add('soak_driver_event_loop_delay_max_ms', soakDriverHealth.eventLoopDelayMaxMs);
    m.add('soak_driver_elu', soakDriverHealth.eventLoopUtilization);
    m.add('soak_driver_cpu', soakDriverHealth.cpu);
    m.add('upstream_requests_left_open', upstreamOpen);
    m.add('upstream_close_ms', closeMs);
    const soakSamples = samplesBetween(gw.samples, soakFrom, soakTo);
    addGatewayGauges(m, summarizeSamples(soakSamples));
    const mb = (n: number) => n / 1e6;
    if (typeof baseline !== 'string' && typeof after !== 'string') {
      m.add('live_heap_before_mb', mb(baseline.bytes));
      m.add('live_heap_after_mb', mb(after.bytes));
      m.add('live_heap_growth_mb', mb(after.bytes - baseline.bytes));
      m.add('heap_after_warmup_mb', mb(baseline.sample.heapUsed));
      m.add('heap_after_run_mb', mb(after.sample.heapUsed));
      m.add('rss_after_warmup_mb', mb(baseline.sample.rss));
      m.add('rss_after_run_mb', mb(after.sample.rss));
    }
    if (probe.recoveryMeanMs !== null) m.add('gateway_recovery_mean_ms', probe.recoveryMeanMs);

    // Checks of the run itself; the figures are judged by the scenario's thresholds.
    const checks: CheckResult[] = [
      {
        name: 'scope',
        ok: true,
        message: `${scenario.recovery.streams} recovery streams (${width} at a time) over ${failures.length} failed first attempts; ${scenario.soak.rounds} × ${scenario.soak.streams} concurrent streams, ${Math.round(scenario.soak.faultRate * 100)}% with one of ${faults.length} faults; reference gateway in its own process (pid ${gw.pid}, --max-old-space-size=${scenario.gateway.heapMb}), replay upstream and clients in this one`,
      },
      warmBroken.length === 0
        ? { name: 'warm-up', ok: true, message: `${warm.length} clean streams, every one golden` }
        : {
            name: 'warm-up',
            ok: false,
            message: `${warmBroken.length} of ${warm.length} clean warm-up streams were not golden: the gateway does not serve this cassette`,
            detail: warmBroken
              .slice(0, SAMPLES)
              .map((o) => `${o.verdict}: ${o.reason ?? ''}`)
              .join('\n'),
          },
      recoveryRan === scenario.recovery.streams && roundsRan === scenario.soak.rounds
        ? { name: 'bounds', ok: true, message: `finished within maxSeconds (${scenario.maxSeconds} s)` }
        : {
            name: 'bounds',
            ok: false,
            message: `cut short by maxSeconds (${scenario.maxSeconds} s): ${recoveryRan} of ${scenario.recovery.streams} recovery streams, ${roundsRan} of ${scenario.soak.rounds} soak rounds`,
          },
      driverHealth.valid
        ? {
            name: 'driver',
            ok: true,
            message: `the clients and replay upstream kept up during recovery (event-loop delay p99 ${driverHealth.eventLoopDelayP99Ms.toFixed(1)} ms)`,
          }
        : {
            name: 'driver',
            ok: false,
            message: `this process saturated during recovery, so recovery times would blame the gateway for it: ${driverHealth.reasons.join('; ')}`,
          },
      alive
        ? { name: 'gateway-up', ok: true, message: 'the gateway process is running and /healthz answers 200' }
        : {
            name: 'gateway-up',
            ok: false,
            message: gw.running ? `/healthz answered ${probe.health || 'nothing'}` : 'the gateway process exited during the run',
          },
      typeof after !== 'string' && after.sample.inFlight === 0 && after.sample.activeStreams === 0
        ? { name: 'gateway-idle', ok: true, message: 'no request or stream open in the gateway after the soak' }
        : {
            name: 'gateway-idle',
            ok: false,
            message:
              typeof after === 'string'
                ? `no sample after the soak: ${after}`
                : `${after.sample.inFlight} request(s) and ${after.sample.activeStreams} stream(s) still open in the gateway after the soak`,
          },
      { name: 'outcomes', ok: true, message: `${total.n} soak streams by fault`, detail: outcomeTable(tally) },
      memoryCheck(baseline, after, soakSamples),
    ];
    const result = benchCase({
      name: `${scenario.name} [normalize]`,
      startedMs: started,
      measurements: m,
      thresholds: scenario.thresholds,
      checks,
    });
    const soakBroken = outcomes.filter((o) => o.verdict === 'broken').map((o) => `${o.kind.name}: ${o.reason ?? ''}`);
    const unexpected = outcomes
      .filter((o) => o.verdict !== o.kind.expect)
      .map(
        (o) =>
          `${o.kind.name}: ${o.verdict}${o.reason ? ` (${o.reason})` : ''}, expected ${o.kind.expect}; ${o.attempts} upstream attempt(s)`,
      );
    const details: Record<string, string[]> = {
      'threshold:recovery_broken': recoveryBroken,
      'threshold:soak_broken': soakBroken,
      'threshold:soak_unexpected': unexpected,
    };
    // A stall of this process delays the upstream's reads: past the gateway's shortest timeout
    // (less the cassette's longest gap), a healthy stream can time out because of the harness.
    const margin = timeoutMargin(scenario, cassette);
    if (unexpected.length && soakDriverHealth.eventLoopDelayMaxMs >= margin)
      unexpected.unshift(
        `note: this process, which serves the upstream, stalled up to ${soakDriverHealth.eventLoopDelayMaxMs.toFixed(0)} ms during the soak, past the ${margin.toFixed(0)} ms that the gateway's shortest timeout leaves after the cassette's longest gap: some of these may be the harness's, not the gateway's (rerun on a quieter machine)`,
      );
    for (const c of result.checks) {
      const list = details[c.name];
      if (!c.ok && list?.length) c.detail = list.slice(0, SAMPLES).join('\n');
    }
    return benchScenario(scenario.name, file, scenario.kind, started, [result]);
  } finally {
    ctx.progress.stop();
    await agent.close().catch(() => undefined);
    await gateway?.close();
    await replay.close();
  }
}

/** The gateway's shortest first-byte or idle timeout, less the longest gap between the cassette's reads at soak speed. */
function timeoutMargin(scenario: ResilienceScenario, cassette: Cassette): number {
  const t = { ...RESILIENCE_TIMEOUTS, ...scenario.gateway.timeouts };
  const ats = cassette.response.chunks.map((c) => c.at);
  const gap = ats.reduce((g, at, i) => (i === 0 ? g : Math.max(g, at - ats[i - 1]!)), ats[0] ?? 0);
  return Math.min(t.firstByteMs, t.idleMs) - (scenario.soak.speed > 0 ? gap / scenario.soak.speed : 0);
}

/** The one streaming OpenAI cassette and its normalize golden; bad input before any traffic. */
function readInput(file: string, fixtureFiles: readonly string[]): { cassette: Cassette; golden: Buffer } {
  if (fixtureFiles.length !== 1)
    throw new InputError(file, null, `fixtures: a resilience run plays one cassette; the glob matched ${fixtureFiles.length}`);
  const [input] = loadInputs(file, fixtureFiles.map(loadCassette), undefined);
  const { cassette } = input!;
  // Clients are told apart by the request's `user` field, and in-band errors are injected in
  // OpenAI's shape: both hold for the OpenAI wire format.
  if (cassette.provider !== 'openai')
    throw new InputError(
      file,
      null,
      `${cassette.name}: a resilience run needs an OpenAI cassette (provider openai), not ${cassette.provider}`,
    );
  if (cassette.response.chunks.length < 4)
    throw new InputError(
      file,
      null,
      `${cassette.name}: mid-stream faults need a cassette of at least 4 reads (it has ${cassette.response.chunks.length})`,
    );
  const golden = readGoldens([input!], 'normalize', true, file).get(cassette.name)!;
  return { cassette, golden };
}

/** The harness config over resilience clocks and retries, plus `down/*`: a closed port that falls back to the provider. */
export function resilienceGatewayConfig(
  replay: ReplayUpstream,
  provider: string,
  gw: ResilienceScenario['gateway'],
  closedPortNumber: number,
): GatewayConfig {
  const base = harnessGatewayConfig(replay, 'normalize');
  return {
    ...base,
    timeouts: { ...RESILIENCE_TIMEOUTS, ...gw.timeouts },
    retry: { ...RESILIENCE_RETRY, ...gw.retry },
    routes: [
      {
        name: 'down',
        match: 'down/*',
        provider,
        mode: 'normalize',
        baseUrl: `http://127.0.0.1:${closedPortNumber}`,
        apiKey: `sk-streamproof-${provider}`,
        headers: {},
        options: { ...getProvider(provider)?.harnessOptions },
        fallback: [`${provider}/*`],
      },
      ...base.routes,
    ],
  };
}

async function liveHeap(gateway: ServerProcess): Promise<{ bytes: number; sample: ServerSample } | string> {
  if (!gateway.running) return 'the gateway process is not running';
  try {
    return await gateway.liveHeap();
  } catch (err) {
    return (err as Error).message;
  }
}

function memoryCheck(
  baseline: { bytes: number; sample: ServerSample } | string,
  after: { bytes: number; sample: ServerSample } | string,
  soak: readonly ServerSample[],
): CheckResult {
  if (typeof baseline === 'string' || typeof after === 'string')
    return { name: 'memory', ok: false, message: `no live heap figure: ${typeof baseline === 'string' ? baseline : after}` };
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const peakRss = soak.reduce((x, s) => Math.max(x, s.rss), 0);
  return {
    name: 'memory',
    ok: true,
    message: `live heap (heap snapshot) ${mb(baseline.bytes)} MB after warm-up → ${mb(after.bytes)} MB after the soak, idle pools expired; heapUsed ${mb(baseline.sample.heapUsed)} → ${mb(after.sample.heapUsed)} MB; RSS ${mb(baseline.sample.rss)} → peak ${mb(peakRss)} → ${mb(after.sample.rss)} MB`,
    detail: sampleSeries(soak),
  };
}

function addPercentiles(m: MeasurementList, prefix: string, s: { p50: number; p99: number; max: number }): void {
  m.add(`${prefix}_p50_ms`, s.p50);
  m.add(`${prefix}_p99_ms`, s.p99);
  m.add(`${prefix}_max_ms`, s.max);
}

function tallyOutcomes(outcomes: readonly Outcome[]): Map<string, Tally> {
  const byKind = new Map<string, Tally>();
  for (const o of outcomes) {
    const k = byKind.get(o.kind.name) ?? { n: 0, golden: 0, error: 0, aborted: 0, broken: 0, unexpected: 0 };
    k.n++;
    k[o.verdict]++;
    if (o.verdict !== o.kind.expect) k.unexpected++;
    byKind.set(o.kind.name, k);
  }
  return byKind;
}

function outcomeTable(tally: ReadonlyMap<string, Tally>): string {
  const rows = [...tally].map(
    ([name, k]) =>
      `${name.padEnd(32)} ${String(k.n).padStart(7)} ${String(k.golden).padStart(7)} ${String(k.error).padStart(7)} ${String(k.aborted).padStart(7)} ${String(k.broken).padStart(7)} ${String(k.unexpected).padStart(10)}`,
  );
  return [`${'fault'.padEnd(32)} streams  golden   error    left  broken  unexpected`, ...rows].join('\n');
}

/** /healthz status, and the mean of the gateway's own recovery_seconds histogram from /metrics. */
async function probeGateway(url: string): Promise<{ health: number; recoveryMeanMs: number | null }> {
  const probe = new Agent();
  try {
    const get = (path: string) => request(`${url}${path}`, { dispatcher: probe, signal: AbortSignal.timeout(5_000) });
    const health = await get('/healthz')
      .then(async (r) => {
        await r.body.dump();
        return r.statusCode;
      })
      .catch(() => 0);
    const text = await get('/metrics')
      .then((r) => r.body.text())
      .catch(() => '');
    return { health, recoveryMeanMs: histogramMeanMs(text, 'streamproof_gateway_recovery_seconds') };
  } finally {
    await probe.close();
  }
}

/** Mean of a Prometheus histogram (all label sets) in ms, from its _sum and _count lines. */
export function histogramMeanMs(text: string, name: string): number | null {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_sum`)) sum += value;
    else if (line.startsWith(`${name}_count`)) count += value;
  }
  return count > 0 ? (sum / count) * 1000 : null;
}

/** A loopback port with nothing listening: connecting to it is refused. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;
