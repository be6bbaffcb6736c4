// Resilience benchmark: recovery time from a failed first attempt, and a mixed-fault soak.
//
//   node --import tsx scripts/bench-resilience.ts [--streams 1000] [--rounds 3] [--fault-rate 0.1]
//        [--recovery 400] [--recovery-concurrency 8] [--settle-ms 11000] [--gateway-heap-mb 256]
//        [--out reports/bench-resilience-<time>]
//
// The reference gateway runs in a child process (so its memory is its own); the replay upstream
// and the clients run here, on one clock.
//
// 1. Recovery: streams whose first upstream attempt fails (5xx, 429, dropped or reset connection,
//    stall before/after headers) and whose second succeeds. Recovery time = from the end of the
//    failed attempt as the upstream saw it (its response sent, or its connection closed by the
//    gateway) to the first byte at the client. Reported p50/p99/max, per fault and overall.
// 2. Soak: rounds of N concurrent streams, a share of them (10%) with an injected fault of every
//    kind: every client must get its complete golden stream or a well-formed terminal error (or
//    have left on purpose), the gateway must stay up, no upstream request may stay open, and the
//    gateway's live heap (measured from a heap snapshot, once idle connections have expired) must
//    return to its baseline afterwards.
//
// Writes report.json and report.md to the output directory and exits 1 when a check fails.
import { fork, type ChildProcess } from 'node:child_process';
import { writeHeapSnapshot } from 'node:v8';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, getGlobalDispatcher, request, setGlobalDispatcher } from 'undici';
import { readOpenAIStream } from '../src/checks/semantic.ts';
import { goldenPath, loadCassette } from '../src/cassette/cassette.ts';
import type { UpstreamFault } from '../src/cassette/schema.ts';
import { startReplayUpstream, type ObservedRequest, type ReplayExchange } from '../src/replay/upstream.ts';
import type { GatewayConfig } from '../src/gateway/config.ts';
import { startGateway } from '../src/gateway/server.ts';
import { harnessGatewayConfig } from '../src/target/target.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cassette = loadCassette(join(ROOT, 'fixtures/openai/text-usage.yaml'));
const golden = readFileSync(goldenPath(cassette, 'normalize'));

// ---------------------------------------------------------------------------------------------
// The gateway child: starts the gateway from the config it is sent, answers memory samples.

type ToChild = { type: 'start'; config: GatewayConfig } | { type: 'sample'; id: number; snapshot: boolean } | { type: 'stop' };
type FromChild =
  | { type: 'ready'; url: string }
  | { type: 'sample'; id: number; rss: number; heapUsed: number; inFlight: number; activeStreams: number; snapshot?: string };

async function childMain(): Promise<void> {
  let gateway: Awaited<ReturnType<typeof startGateway>> | null = null;
  process.on('message', async (msg: ToChild) => {
    if (msg.type === 'start') {
      gateway = await startGateway(msg.config);
      send({ type: 'ready', url: gateway.url });
    } else if (msg.type === 'sample') {
      // A snapshot collects everything collectable first; the parent reads the live size from it.
      const snapshot = msg.snapshot
        ? writeHeapSnapshot(join(tmpdir(), `streamproof-gateway-${process.pid}-${Date.now()}.heapsnapshot`))
        : undefined;
      const m = process.memoryUsage();
      send({
        type: 'sample',
        id: msg.id,
        rss: m.rss,
        heapUsed: m.heapUsed,
        inFlight: gateway?.inFlight ?? 0,
        activeStreams: gateway?.activeStreams ?? 0,
        snapshot,
      });
    } else if (msg.type === 'stop') {
      await gateway?.close();
      process.exit(0);
    }
  });
  const send = (m: FromChild) => process.send!(m);
}

/**
 * The live heap: the total size of the objects in a heap snapshot. After a soak, heapUsed stays
 * 10-40 MB above that even after gc() (V8 keeps pages it has not compacted or returned; a
 * snapshot shows the objects are gone), so it cannot say whether memory returned to baseline.
 */
function liveHeapBytes(file: string): number {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const selfSize = fields.indexOf('self_size');
  let total = 0;
  for (let i = selfSize; i < snapshot.nodes.length; i += fields.length) total += snapshot.nodes[i]!;
  rmSync(file);
  return total;
}

interface GatewayChild {
  url: string;
  sample(snapshot: boolean): Promise<Extract<FromChild, { type: 'sample' }> & { liveHeap?: number }>;
  alive(): boolean;
  stop(): Promise<void>;
}

/** The gateway runs with a bounded old space, as it would in a container. */
async function startGatewayChild(config: GatewayConfig, heapMb: number): Promise<GatewayChild> {
  const execArgv = ['--import', 'tsx', `--max-old-space-size=${heapMb}`];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--gateway-child'], { execArgv, stdio: 'inherit' });
  let exited = false;
  child.on('exit', () => (exited = true));
  let lastId = 0;
  const next = <T extends FromChild['type']>(type: T, id?: number) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve) => {
      const on = (m: FromChild) => {
        if (m.type !== type || (id !== undefined && 'id' in m && m.id !== id)) return;
        child.off('message', on);
        resolve(m as Extract<FromChild, { type: T }>);
      };
      child.on('message', on);
    });
  const ready = next('ready');
  child.send({ type: 'start', config } satisfies ToChild);
  const { url } = await ready;
  return {
    url,
    async sample(snapshot) {
      const id = ++lastId;
      const reply = next('sample', id);
      child.send({ type: 'sample', id, snapshot } satisfies ToChild);
      const s = await reply;
      return s.snapshot ? { ...s, liveHeap: liveHeapBytes(s.snapshot) } : s;
    },
    alive: () => !exited,
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' } satisfies ToChild);
      await gone;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What each client does, and what the upstream does on each of its attempts.

interface FaultKind {
  name: string;
  /** Upstream behaviour per attempt (attempts past the list play the cassette as recorded). */
  attempts: UpstreamFault[];
  client?: { abortAfterMs?: number; abortAfterEvents?: number; readDelayMs?: number };
  /** The client's model (default openai/gpt-5-nano; down/… is a refused route with a fallback). */
  model?: string;
  /** What the client must end with. */
  expect: 'golden' | 'error' | 'aborted';
}

const STALL = 10_000;
const FIRST_ATTEMPT_FAILURES: FaultKind[] = [
  { name: '500', attempts: [{ fault: 'status', status: 500 }], expect: 'golden' },
  { name: '502', attempts: [{ fault: 'status', status: 502 }], expect: 'golden' },
  { name: '503', attempts: [{ fault: 'status', status: 503 }], expect: 'golden' },
  { name: '429', attempts: [{ fault: 'status', status: 429 }], expect: 'golden' },
  { name: 'dropped before headers', attempts: [{ fault: 'drop-before-headers' }], expect: 'golden' },
  { name: 'reset before first event', attempts: [{ fault: 'reset-mid-stream', afterChunk: 0 }], expect: 'golden' },
  { name: 'stall before headers', attempts: [{ fault: 'stall-before-headers', ms: STALL }], expect: 'golden' },
  { name: 'stall after headers', attempts: [{ fault: 'stall-after-headers', ms: STALL }], expect: 'golden' },
];

const SOAK_FAULTS: FaultKind[] = [
  ...FIRST_ATTEMPT_FAILURES,
  { name: '429 Retry-After 20 ms', attempts: [{ fault: 'status', status: 429, retryAfterMs: 20 }], expect: 'golden' },
  { name: '503 on every attempt', attempts: [0, 1, 2].map(() => ({ fault: 'status', status: 503 }) as UpstreamFault), expect: 'error' },
  { name: 'refused, fallback', attempts: [], model: 'down/gpt-5-nano', expect: 'golden' },
  { name: 'stall mid-stream', attempts: [{ fault: 'stall-mid-stream', afterChunk: 3, ms: STALL }], expect: 'error' },
  { name: 'reset mid-stream', attempts: [{ fault: 'reset-mid-stream', afterChunk: 3 }], expect: 'error' },
  {
    name: 'in-band error',
    attempts: [{ fault: 'error-event', afterChunk: 3, message: 'The server is overloaded.', type: 'server_error', code: null }],
    expect: 'error',
  },
  { name: 'EOF without [DONE]', attempts: [{ fault: 'eof-mid-stream', afterChunk: 3 }], expect: 'error' },
  { name: 'hang before [DONE]', attempts: [{ fault: 'hang-mid-stream', afterChunk: 7 }], expect: 'error' },
  { name: 'slow client reader', attempts: [], client: { readDelayMs: 20 }, expect: 'golden' },
  {
    name: 'client abort before headers',
    attempts: [{ fault: 'stall-before-headers', ms: STALL }],
    client: { abortAfterMs: 50 },
    expect: 'aborted',
  },
  {
    name: 'client abort before first token',
    attempts: [{ fault: 'stall-after-headers', ms: STALL }],
    client: { abortAfterMs: 50 },
    expect: 'aborted',
  },
  {
    name: 'client abort mid-stream',
    attempts: [{ fault: 'hang-mid-stream', afterChunk: 2 }],
    client: { abortAfterEvents: 1 },
    expect: 'aborted',
  },
];

const CLEAN: FaultKind = { name: 'none', attempts: [], expect: 'golden' };

// ---------------------------------------------------------------------------------------------
// One client stream.

interface ClientOutcome {
  kind: string;
  verdict: 'golden' | 'error' | 'aborted' | 'broken';
  reason?: string;
  firstByteAt?: number;
  /** As the kind expects (a golden for a recoverable fault, an error for a fatal one, …). */
  asExpected: boolean;
}

async function runClient(url: string, id: string, kind: FaultKind, speedBody: Record<string, unknown>): Promise<ClientOutcome> {
  const controller = new AbortController();
  let aborted = false;
  const abort = () => {
    aborted = true;
    controller.abort();
  };
  const behaviour = kind.client ?? {};
  const timer = behaviour.abortAfterMs !== undefined ? setTimeout(abort, behaviour.abortAfterMs) : undefined;
  const safety = setTimeout(() => controller.abort(), 60_000);
  const parts: Buffer[] = [];
  let status = 0;
  let firstByteAt: number | undefined;
  let error: string | undefined;
  try {
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...speedBody, model: kind.model ?? 'openai/gpt-5-nano', user: id }),
      signal: controller.signal,
    });
    status = res.statusCode;
    let events = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      firstByteAt ??= performance.now();
      if (behaviour.readDelayMs) await sleep(behaviour.readDelayMs);
      parts.push(chunk);
      events += chunk.toString('latin1').split('\n\n').length - 1;
      if (behaviour.abortAfterEvents !== undefined && events >= behaviour.abortAfterEvents) {
        abort();
        break;
      }
    }
  } catch (err) {
    if (!aborted) error = (err as { code?: string }).code ?? String(err);
  } finally {
    clearTimeout(timer);
    clearTimeout(safety);
  }
  const body = Buffer.concat(parts);
  const judged = aborted
    ? { verdict: 'aborted' as const }
    : error
      ? { verdict: 'broken' as const, reason: `transport: ${error}` }
      : judge(status, body);
  return { kind: kind.name, ...judged, firstByteAt, asExpected: judged.verdict === kind.expect };
}

/** A complete golden stream, a well-formed terminal error, or broken (with why). */
function judge(status: number, body: Buffer): { verdict: ClientOutcome['verdict']; reason?: string } {
  if (status === 200 && body.equals(golden)) return { verdict: 'golden' };
  if (status >= 400) {
    try {
      const e = (JSON.parse(body.toString('utf8')) as { error?: { message?: unknown; type?: unknown } }).error;
      if (typeof e?.message === 'string' && typeof e.type === 'string') return { verdict: 'error' };
    } catch {
      // falls through
    }
    return { verdict: 'broken', reason: `status ${status} without an OpenAI error body` };
  }
  if (status !== 200) return { verdict: 'broken', reason: `status ${status}` };
  const seen = readOpenAIStream(body);
  const at = body.lastIndexOf('data: {"error"');
  if (!seen.error || seen.sawDone || seen.eventsAfterEnd > 0 || seen.problems.length > 0 || at === -1) {
    return { verdict: 'broken', reason: seen.sawDone ? 'not the golden, yet ended with [DONE]' : 'no terminal error event' };
  }
  // Everything before the error event is what the golden stream says at that point.
  if (!golden.subarray(0, at).equals(body.subarray(0, at)))
    return { verdict: 'broken', reason: 'events before the error differ from the golden' };
  return { verdict: 'error' };
}

// ---------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? NaN) };
}

const round = (x: number) => Math.round(x * 100) / 100;
const mb = (x: number) => Math.round((x / 1024 / 1024) * 10) / 10;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      streams: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      'fault-rate': { type: 'string', default: '0.1' },
      recovery: { type: 'string', default: '400' },
      'recovery-concurrency': { type: 'string', default: '8' },
      'settle-ms': { type: 'string', default: '11000' },
      'gateway-heap-mb': { type: 'string', default: '256' },
      out: { type: 'string' },
    },
  });
  const streams = Number(values.streams);
  const rounds = Number(values.rounds);
  const faultRate = Number(values['fault-rate']);
  const recoveryStreams = Number(values.recovery);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = values.out ?? join(ROOT, 'reports', `bench-resilience-${stamp}`);

  // The upstream: one slot, a plan per request chosen from the client id the request carries.
  const clients = new Map<string, FaultKind>();
  const attemptsSeen = new Map<string, number>();
  const firstAttemptEnd = new Map<string, number>();
  const replay = await startReplayUpstream({
    maxHangMs: STALL,
    onExchange(e: ReplayExchange) {
      const id = clientId(e.request);
      if (id && e.endedAt !== undefined && !firstAttemptEnd.has(id)) firstAttemptEnd.set(id, e.endedAt);
    },
  });
  let speed = 0;
  replay.choose('openai', (req) => {
    const id = clientId(req) ?? '';
    const n = (attemptsSeen.get(id) ?? 0) + 1;
    attemptsSeen.set(id, n);
    const kind = clients.get(id) ?? CLEAN;
    return { cassette, chunks: cassette.response.chunks, speed, fault: kind.attempts[n - 1] ?? { fault: 'none' } };
  });

  // The gateway: the harness config with production-like retries and short-ish clocks, plus a
  // route nobody listens on that falls back to OpenAI.
  const base = harnessGatewayConfig(replay, 'normalize');
  const config: GatewayConfig = {
    ...base,
    timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 1_000, totalMs: 30_000 },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 200, maxRetryAfterMs: 1_000 },
    routes: [
      {
        name: 'down',
        match: 'down/*',
        provider: 'openai',
        mode: 'normalize',
        baseUrl: 'http://127.0.0.1:1',
        headers: {},
        options: {},
        fallback: ['openai/*'],
      },
      ...base.routes,
    ],
  };
  const heapMb = Number(values['gateway-heap-mb']);
  const gateway = await startGatewayChild(config, heapMb);
  let seq = 0;
  const launch = (kind: FaultKind) => {
    const id = `c${++seq}`;
    clients.set(id, kind);
    return { id, run: () => runClient(gateway.url, id, kind, cassette.request.body) };
  };

  // Warm-up, then the memory baseline.
  speed = 0;
  await Promise.all(Array.from({ length: 200 }, () => launch(CLEAN).run()));
  const baseline = await gateway.sample(true);
  console.log(`baseline: live heap ${mb(baseline.liveHeap!)} MB, heapUsed ${mb(baseline.heapUsed)} MB, rss ${mb(baseline.rss)} MB`);

  // 1. Recovery, at low concurrency so that it measures the gateway, not a queue.
  const recovery = new Map<string, number[]>();
  const recoveryBroken: string[] = [];
  const width = Number(values['recovery-concurrency']);
  for (let i = 0; i < recoveryStreams; i += width) {
    const batch = Array.from({ length: Math.min(width, recoveryStreams - i) }, (_, j) =>
      launch(FIRST_ATTEMPT_FAILURES[(i + j) % FIRST_ATTEMPT_FAILURES.length]!),
    );
    const results = await Promise.all(batch.map(async (c) => ({ c, r: await c.run() })));
    for (const { c, r } of results) {
      const failedAt = firstAttemptEnd.get(c.id);
      if (r.verdict !== 'golden' || r.firstByteAt === undefined || failedAt === undefined) {
        recoveryBroken.push(`${r.kind}: ${r.verdict} ${r.reason ?? ''}`);
        continue;
      }
      const list = recovery.get(r.kind) ?? [];
      list.push(r.firstByteAt - failedAt);
      recovery.set(r.kind, list);
    }
  }
  const recoveryAll = stats([...recovery.values()].flat());
  console.log(`recovery: p50 ${recoveryAll.p50} ms, p99 ${recoveryAll.p99} ms, max ${recoveryAll.max} ms (n=${recoveryAll.n})`);

  // 2. Soak: rounds of N concurrent paced streams, a share of them faulted.
  speed = 1;
  const outcomes: ClientOutcome[] = [];
  let peakRss = 0;
  let peakInFlight = 0;
  const sampler = setInterval(() => {
    void gateway.sample(false).then((s) => {
      peakRss = Math.max(peakRss, s.rss);
      peakInFlight = Math.max(peakInFlight, s.inFlight);
    });
  }, 100);
  const soakStarted = performance.now();
  for (let r = 0; r < rounds; r++) {
    const faulted = Math.round(streams * faultRate);
    const round = Array.from({ length: streams }, (_, i) =>
      launch(i < faulted ? SOAK_FAULTS[(r * faulted + i) % SOAK_FAULTS.length]! : CLEAN),
    );
    outcomes.push(...(await Promise.all(round.map((c) => c.run()))));
    console.log(`soak round ${r + 1}/${rounds}: ${streams} streams done`);
  }
  const soakMs = performance.now() - soakStarted;
  clearInterval(sampler);

  // Afterwards: nothing open upstream, the gateway idle and up, the heap back to its baseline.
  const settleStarted = performance.now();
  const deadline = settleStarted + 15_000;
  let after = await gateway.sample(false);
  while ((replay.activeExchanges > 0 || after.inFlight > 0) && performance.now() < deadline) {
    await sleep(50);
    after = await gateway.sample(false);
  }
  const settleMs = Math.round(performance.now() - settleStarted);
  const openUpstream = replay.activeExchanges;
  // Idle keep-alive connections are state, not leaks: let both pools expire (the gateway's
  // upstream pool after 10 s, its server sockets once our client pool closes) before measuring.
  await getGlobalDispatcher().close();
  setGlobalDispatcher(new Agent());
  await sleep(Number(values['settle-ms']));
  after = await gateway.sample(true);
  const health = await request(`${gateway.url}/healthz`)
    .then((r) => r.statusCode)
    .catch(() => 0);
  const metricsText = await request(`${gateway.url}/metrics`)
    .then((r) => r.body.text())
    .catch(() => '');
  const alive = gateway.alive() && health === 200;
  await gateway.stop();
  await replay.close();

  // The verdicts.
  const byKind = new Map<string, { n: number; golden: number; error: number; aborted: number; broken: number; unexpected: number }>();
  for (const o of outcomes) {
    const k = byKind.get(o.kind) ?? { n: 0, golden: 0, error: 0, aborted: 0, broken: 0, unexpected: 0 };
    k.n++;
    k[o.verdict]++;
    if (!o.asExpected) k.unexpected++;
    byKind.set(o.kind, k);
  }
  const broken = outcomes.filter((o) => o.verdict === 'broken');
  const heapGrowth = after.liveHeap! - baseline.liveHeap!;
  const checks = [
    {
      name: 'every client got its golden stream, a well-formed terminal error, or left on purpose',
      ok: broken.length === 0 && recoveryBroken.length === 0,
      detail: [...broken.map((b) => `${b.kind}: ${b.reason}`), ...recoveryBroken].slice(0, 10).join('; '),
    },
    {
      name: 'every client got the outcome its fault calls for',
      ok: outcomes.every((o) => o.asExpected),
      detail: [...byKind]
        .filter(([, k]) => k.unexpected > 0)
        .map(([n, k]) => `${n}: ${k.unexpected}`)
        .join('; '),
    },
    { name: 'the gateway stayed up', ok: alive, detail: `healthz ${health}` },
    {
      name: 'no upstream request open after the soak',
      ok: openUpstream === 0,
      detail: `${openUpstream} open; all closed ${settleMs} ms after the last client`,
    },
    {
      name: 'gateway idle after the soak',
      ok: after.inFlight === 0 && after.activeStreams === 0,
      detail: `in flight ${after.inFlight}, streams ${after.activeStreams}`,
    },
    {
      name: 'live heap back to its baseline (within 4 MB)',
      ok: heapGrowth < 4 * 1024 * 1024,
      detail: `${mb(baseline.liveHeap!)} → ${mb(after.liveHeap!)} MB`,
    },
    { name: 'recovery p99 under 50 ms', ok: recoveryAll.p99 < 50, detail: `${recoveryAll.p99} ms` },
  ];
  const report = {
    command: `node --import tsx scripts/bench-resilience.ts --streams ${streams} --rounds ${rounds} --fault-rate ${faultRate} --recovery ${recoveryStreams} --gateway-heap-mb ${heapMb}`,
    machine: { node: process.version, platform: process.platform, arch: process.arch },
    recovery: {
      overall: recoveryAll,
      byFault: Object.fromEntries([...recovery].map(([k, v]) => [k, stats(v)])),
      broken: recoveryBroken.length,
    },
    soak: {
      streams,
      rounds,
      faultRate,
      durationMs: Math.round(soakMs),
      byKind: Object.fromEntries(byKind),
      peakInFlight,
      memory: {
        maxOldSpaceMB: heapMb,
        baselineLiveHeapMB: mb(baseline.liveHeap!),
        afterLiveHeapMB: mb(after.liveHeap!),
        baselineHeapUsedMB: mb(baseline.heapUsed),
        afterHeapUsedMB: mb(after.heapUsed),
        baselineRssMB: mb(baseline.rss),
        peakRssMB: mb(peakRss),
        afterRssMB: mb(after.rss),
      },
      openUpstreamAfter: openUpstream,
      settleMs,
      gatewayRecovery: histogramSummary(metricsText, 'streamproof_gateway_recovery_seconds'),
    },
    checks,
    status: checks.every((c) => c.ok) ? 'pass' : 'fail',
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'report.md'), markdown(report));
  for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  console.log(`report: ${relative(process.cwd(), out)}/report.md`);
  return report.status === 'pass' ? 0 : 1;
}

function clientId(req: ObservedRequest): string | null {
  try {
    const user = (JSON.parse(req.body.toString('utf8')) as { user?: unknown }).user;
    return typeof user === 'string' ? user : null;
  } catch {
    return null;
  }
}

/** Mean and count of one of the gateway's histograms, from its /metrics text. */
function histogramSummary(text: string, name: string): { count: number; meanMs: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_sum`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_count`)) count += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { count, meanMs: count ? round((sum / count) * 1000) : NaN };
}

function markdown(r: {
  command: string;
  machine: Record<string, string>;
  recovery: { overall: ReturnType<typeof stats>; byFault: Record<string, ReturnType<typeof stats>> };
  soak: {
    streams: number;
    rounds: number;
    faultRate: number;
    durationMs: number;
    byKind: Record<string, Record<string, number>>;
    peakInFlight: number;
    memory: Record<string, number>;
    openUpstreamAfter: number;
  };
  checks: { name: string; ok: boolean; detail: string }[];
  status: string;
}): string {
  const lines = [
    '# Resilience benchmark',
    '',
    `\`${r.command}\` (Node ${r.machine['node']}, ${r.machine['platform']}/${r.machine['arch']}): **${r.status.toUpperCase()}**`,
    '',
    '## Recovery from a failed first attempt',
    '',
    'From the end of the failed attempt as the upstream saw it to the first byte at the client (ms).',
    '',
    '| first attempt | n | p50 | p99 | max |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(r.recovery.byFault).map(([k, s]) => `| ${k} | ${s.n} | ${s.p50} | ${s.p99} | ${s.max} |`),
    `| **all** | ${r.recovery.overall.n} | ${r.recovery.overall.p50} | ${r.recovery.overall.p99} | ${r.recovery.overall.max} |`,
    '',
    `## Mixed-fault soak: ${r.soak.rounds} × ${r.soak.streams} concurrent streams, ${r.soak.faultRate * 100}% faulted`,
    '',
    '| fault | streams | golden | terminal error | left | broken | not as expected |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(r.soak.byKind).map(
      ([k, s]) => `| ${k} | ${s['n']} | ${s['golden']} | ${s['error']} | ${s['aborted']} | ${s['broken']} | ${s['unexpected']} |`,
    ),
    '',
    `Duration ${r.soak.durationMs} ms; peak in flight ${r.soak.peakInFlight}; upstream requests open afterwards: ${r.soak.openUpstreamAfter}.`,
    `Gateway memory (--max-old-space-size=${r.soak.memory['maxOldSpaceMB']}), connection pools expired: live heap (heap snapshot) ${r.soak.memory['baselineLiveHeapMB']} MB before → ${r.soak.memory['afterLiveHeapMB']} MB after; heapUsed ${r.soak.memory['baselineHeapUsedMB']} → ${r.soak.memory['afterHeapUsedMB']} MB; RSS ${r.soak.memory['baselineRssMB']} → peak ${r.soak.memory['peakRssMB']} → ${r.soak.memory['afterRssMB']} MB.`,
    '',
    '## Checks',
    '',
    ...r.checks.map((c) => `- ${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`),
    '',
  ];
  return lines.join('\n');
}

if (process.argv.includes('--gateway-child')) await childMain();
else process.exitCode = await main();
