// `kind: fault`: every case arms the replay upstream with one planned behaviour per upstream
// attempt, sends the base cassette's request through the gateway (the client may abort or read
// slowly), and checks the client's status and bytes against the golden, the terminal error, the
// number of upstream attempts per slot, that no upstream request is still open once the client is
// done, the upstream requests themselves, and (reference gateway only) retry/fallback counts.
//
// Cases of one scenario run in order against one gateway per mode, so state that should carry
// over (a circuit breaker opening) does; scenarios that want a fresh gateway are separate files.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import { loadCassette, goldenPath, type Cassette } from '../../../cassette/cassette.ts';
import type { ReplayExchange, ReplayUpstream } from '../../../replay/upstream.ts';
import type { GatewayConfig, RouteConfig } from '../../../gateway/config.ts';
import { metricValue } from '../../../gateway/metrics.ts';
import { startGateway } from '../../../gateway/server.ts';
import { getProvider } from '../../../providers/index.ts';
import type { CaseResult, CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { faultCapabilities } from '../../../checks/scorecard.ts';
import { addressRequest } from '../../../target/profile.ts';
import { checkAttempts, checkBytes, checkHeartbeats, checkStatus, checkTerminal, stripHeartbeats } from './checks.ts';
import { sendExchange } from '../../../client/exchange.ts';
import type { FaultCase, FaultScenario } from './schema.ts';
import { harnessGatewayConfig, type GatewayMode } from '../../../target/target.ts';
import { scenarioResult, skippedScenario } from '../../../checks/result.ts';
import { updateGolden } from '../../goldens.ts';
import { guardCase } from '../../case-guard.ts';
import type { ScenarioContext } from '../../kind.ts';
import { requestProblems } from '../../../checks/upstream-request.ts';

/**
 * Short clocks so that stalls end the way they would in production, only sooner. Not shorter: a
 * test machine that stalls the process for 250 ms (seen with the full suite on two cores) would
 * otherwise end an unstalled stream with an idle timeout.
 */
export const FAULT_HARNESS_TIMEOUTS = { connectMs: 1_000, firstByteMs: 500, idleMs: 1_000, totalMs: 5_000 };
export const FAULT_HARNESS_RETRY = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 1_000 };

/** Nothing in a fault case should take longer than this at the client. */
const FAULT_CLIENT_TIMEOUT_MS = 15_000;

/** How long the upstream may take to see the gateway let go once the client is done. */
const CLOSE_GRACE_MS = 2_000;

interface OpenGateway {
  url: string;
  metrics: Registry | null;
  close(): Promise<void>;
}

export async function runFaultScenario(scenario: FaultScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file } = ctx;
  const started = performance.now();
  const dir = dirname(file);
  // Bad input fails before any traffic.
  const cassettes = new Map<string, Cassette>(scenario.cases.map((c) => [c.cassette, loadCassette(resolve(dir, c.cassette))]));
  const ownRoutes = new Set(scenario.gateway.routes.map((r) => r.match));
  const cases: CaseResult[] = [];
  // Expectations such as "two attempts" hold for a gateway configured as this file says; an
  // external gateway is only put through them when the file says it is set up alike.
  if (ctx.target.external && !scenario.external) {
    return skippedScenario(
      scenario.name,
      file,
      'fault',
      'its expectations hold for a gateway configured as the file says; set `external: true` in it to run them against a --target set up alike',
    );
  }
  const modes = ctx.target.modes(scenario.modes);
  const closedPort = await findClosedPort();
  for (const mode of modes) {
    const gateway = await openGateway(scenario, mode, ctx, closedPort);
    try {
      for (const c of scenario.cases) {
        if (ctx.signal.aborted) break;
        // A case on the scenario's own routes needs the reference gateway configured by this file.
        if (ctx.target.external && c.model !== undefined && ownRoutes.has(c.model)) continue;
        const result = await guardCase(`${c.name} [${mode}]`, relative(process.cwd(), file), () =>
          runCase(file, scenario, c, cassettes.get(c.cassette)!, mode, gateway, ctx),
        );
        const attempts = Array.isArray(c.attempts) ? c.attempts : Object.values(c.attempts).flat();
        cases.push(
          ctx.target.external
            ? { ...result, provider: cassettes.get(c.cassette)!.provider, capabilities: faultCapabilities(attempts) }
            : result,
        );
        ctx.onCase?.(result);
      }
    } finally {
      await gateway.close();
    }
  }
  return scenarioResult(scenario.name, file, scenario.kind, started, cases);
}

async function openGateway(scenario: FaultScenario, mode: GatewayMode, ctx: ScenarioContext, closedPort: number): Promise<OpenGateway> {
  if (ctx.target.external) {
    const open = await ctx.target.open(mode, ctx.replay);
    return { url: open.url, metrics: null, close: () => open.close() };
  }
  const gateway = await startGateway(faultGatewayConfig(ctx.replay, mode, scenario.gateway, closedPort));
  return { url: gateway.url, metrics: gateway.metrics, close: () => gateway.close() };
}

/** The harness config (every provider on its replay slot) with the scenario's settings and routes. */
export function faultGatewayConfig(
  replay: ReplayUpstream,
  mode: GatewayMode,
  gw: FaultScenario['gateway'],
  closedPort: number,
): GatewayConfig {
  const base = harnessGatewayConfig(replay, mode);
  const own: RouteConfig[] = gw.routes.map(({ slot, refused, ...route }) => ({
    ...route,
    mode, // the scenario's modes decide, as for the harness routes
    baseUrl: refused ? `http://127.0.0.1:${closedPort}` : replay.baseUrl(slot ?? route.provider),
    apiKey: `sk-streamproof-${route.provider}`,
    options: { ...getProvider(route.provider)?.harnessOptions, ...route.options },
  }));
  return {
    ...base,
    heartbeatMs: gw.heartbeatMs ?? base.heartbeatMs,
    timeouts: { ...FAULT_HARNESS_TIMEOUTS, ...gw.timeouts },
    retry: { ...FAULT_HARNESS_RETRY, ...gw.retry },
    ...(gw.breaker ? { breaker: gw.breaker } : {}),
    routes: [...own, ...base.routes],
  };
}

async function runCase(
  file: string,
  scenario: FaultScenario,
  c: FaultCase,
  cassette: Cassette,
  mode: GatewayMode,
  gateway: OpenGateway,
  ctx: ScenarioContext,
): Promise<CaseResult> {
  const started = performance.now();
  const { replay, target } = ctx;
  if (c.waitBeforeMs > 0) await sleep(c.waitBeforeMs);

  // Which slot a plain attempt list belongs to, and which provider each slot speaks.
  const ownRoute = scenario.gateway.routes.find((r) => r.match === c.model);
  const defaultSlot = ownRoute ? (ownRoute.slot ?? ownRoute.provider) : cassette.provider;
  const providerOf = (slot: string) => scenario.gateway.routes.find((r) => (r.slot ?? r.provider) === slot)?.provider ?? slot;
  const plans = Array.isArray(c.attempts) ? { [defaultSlot]: c.attempts } : c.attempts;
  const expected = typeof c.expect.attempts === 'number' ? { [defaultSlot]: c.expect.attempts } : (c.expect.attempts ?? countPlans(plans));
  const slots = [...new Set([...Object.keys(plans), ...Object.keys(expected)])];

  const servedBefore = Object.fromEntries(slots.map((s) => [s, replay.served(s)]));
  const unexpectedBefore = replay.unexpected.length;
  const countsBefore = await gatewayCounts(gateway.metrics);
  const exchanges: { slot: string; done: Promise<ReplayExchange> }[] = [];
  for (const [slot, faults] of Object.entries(plans)) {
    for (const fault of faults)
      exchanges.push({ slot, done: replay.arm(slot, { cassette, chunks: cassette.response.chunks, speed: c.speed, fault }) });
  }

  const model = String(cassette.request.body['model']);
  const address =
    c.model !== undefined
      ? { model: c.model, headers: {} }
      : addressRequest(target.profile, cassette.provider, model, replay.baseUrl(cassette.provider));
  const client = await sendExchange(
    `${gateway.url}${target.profile.chatPath}`,
    { ...cassette.request.body, model: address.model },
    { headers: { ...cassette.request.headers, ...address.headers }, ...c.client, timeoutMs: FAULT_CLIENT_TIMEOUT_MS },
  );

  // The upstream side: every request the gateway made must be over, and no late attempt may follow.
  const drained = await waitUntil(() => replay.activeExchanges === 0, CLOSE_GRACE_MS);
  await sleep(c.settleMs);
  const actual = Object.fromEntries(slots.map((s) => [s, replay.served(s) - servedBefore[s]!]));
  const unexpected = replay.unexpected.length - unexpectedBefore;
  for (const slot of slots) replay.disarm(slot);
  const finished = await settled(exchanges);
  const countsAfter = await gatewayCounts(gateway.metrics);

  const checks: CheckResult[] = [checkStatus(c.expect, client)];
  const streaming = cassette.streaming;
  const golden = goldenFor(file, scenario, c, cassette, mode, client.status);
  let body = client.body;
  if (c.expect.heartbeats) {
    const found = stripHeartbeats(body);
    checks.push(checkHeartbeats(found));
    body = found.body;
  }
  // Judged before the golden: --update-goldens writes only output whose status and ending held.
  const terminal = checkTerminal(c.expect, { ...client, body }, streaming);
  if (ctx.updateGoldens && golden.own && c.expect.bytes === 'golden') {
    checks.push(updateGolden(golden.path, body, [checks[0]!, ...(terminal ? [terminal] : [])], ctx.log));
  } else if (c.expect.bytes !== 'none' && !existsSync(golden.path)) {
    checks.push({
      name: 'golden',
      ok: false,
      message: `no golden at ${relative(process.cwd(), golden.path)}; run with --update-goldens and review it`,
    });
  } else {
    checks.push(checkBytes(c.expect, body, c.expect.bytes === 'none' ? null : readFileSync(golden.path)));
  }
  if (terminal) checks.push(terminal);
  checks.push(checkAttempts(expected, actual, unexpected));
  checks.push(
    drained
      ? { name: 'upstream-closed', ok: true }
      : {
          name: 'upstream-closed',
          ok: false,
          message: `${replay.activeExchanges} upstream request(s) still open ${CLOSE_GRACE_MS} ms after the client was done`,
        },
  );
  const problems = finished.filter((e) => providerOf(e.slot) === cassette.provider).flatMap((e) => requestProblems(e.exchange));
  checks.push(
    problems.length
      ? { name: 'request', ok: false, message: `upstream request does not match the cassette: ${problems[0]}`, detail: problems.join('\n') }
      : { name: 'request', ok: true },
  );
  if (c.expect.gateway && countsBefore && countsAfter) checks.push(checkGatewayCounts(c.expect.gateway, countsBefore, countsAfter));

  return {
    name: `${c.name} [${mode}]`,
    file: relative(process.cwd(), file),
    status: checks.every((k) => k.ok) ? 'pass' : 'fail',
    durationMs: performance.now() - started,
    checks,
  };
}

function countPlans(plans: Record<string, readonly unknown[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(plans).map(([slot, list]) => [slot, list.length]));
}

/** The golden a case compares with, and whether it is the case's own (writable by --update-goldens). */
function goldenFor(
  file: string,
  _scenario: FaultScenario,
  c: FaultCase,
  cassette: Cassette,
  mode: GatewayMode,
  status: number,
): { path: string; own: boolean } {
  if (c.expect.golden === 'cassette') return { path: goldenPath(cassette, mode), own: false };
  if (c.expect.golden !== undefined) return { path: resolve(dirname(file), c.expect.golden), own: false };
  const ext = cassette.streaming && (status === 200 || c.expect.status === 200) ? 'sse' : 'json';
  const stem = basename(file).replace(/\.ya?ml$/, '');
  return { path: resolve(dirname(file), 'goldens', stem, `${c.name}.${mode}.${ext}`), own: true };
}

type Counts = { retries: number; fallbacks: number; rejected: number };

async function gatewayCounts(registry: Registry | null): Promise<Counts | null> {
  if (!registry) return null;
  return {
    retries: await metricValue(registry, 'streamproof_gateway_retries_total'),
    fallbacks: await metricValue(registry, 'streamproof_gateway_fallbacks_total'),
    rejected: await metricValue(registry, 'streamproof_gateway_rejected_total'),
  };
}

function checkGatewayCounts(want: Partial<Counts>, before: Counts, after: Counts): CheckResult {
  const problems = (Object.keys(want) as (keyof Counts)[])
    .filter((k) => want[k] !== undefined && after[k] - before[k] !== want[k])
    .map((k) => `${k}: ${after[k] - before[k]}, expected ${want[k]}`);
  return problems.length
    ? { name: 'gateway-metrics', ok: false, message: problems[0]!, detail: problems.join('\n') }
    : { name: 'gateway-metrics', ok: true };
}

/** The exchanges that happened (armed plans nobody consumed never resolve). */
async function settled(list: { slot: string; done: Promise<ReplayExchange> }[]): Promise<{ slot: string; exchange: ReplayExchange }[]> {
  const out: { slot: string; exchange: ReplayExchange }[] = [];
  for (const { slot, done } of list) {
    const exchange = await Promise.race([done, sleep(0).then(() => null)]);
    if (exchange !== null) out.push({ slot, exchange });
  }
  return out;
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

/** A loopback port with nothing listening: connecting to it is refused. */
function findClosedPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}
