// `kind: parity`: every cassette, through the gateway, as recorded and re-chunked. What is checked
// depends on the target's conformance level (docs/conformance-levels.md): `protocol` judges the
// answer on its own (checks/protocol.ts), `semantic` adds its meaning against the cassette's
// reviewed expect block, `exact` adds the golden bytes and their invariance under re-chunking. The
// upstream request is checked at every level, in two tiers (checks/upstream-request.ts).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCassette, goldenPath, type Cassette, type ReplayChunk } from '../../../cassette/cassette.ts';
import { applyChunking, chunkingName, type Chunking } from '../../../cassette/chunking.ts';
import type { ReplayExchange } from '../../../replay/upstream.ts';
import { sendExchange, type Exchange } from '../../../client/exchange.ts';
import { compareWithGolden } from '../../../checks/golden.ts';
import { applyMasks } from '../../../checks/masks.ts';
import { readOpenAICompletion, readOpenAIStream, semanticMismatches, type SemanticOutput } from '../../../checks/semantic.ts';
import type { CaseResult, CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { addressRequest, type ConformanceLevel, levelIncludes } from '../../../target/profile.ts';
import { getProvider } from '../../../providers/index.ts';
import type { ParityScenario } from './schema.ts';
import type { GatewayMode } from '../../../target/target.ts';
import { scenarioResult } from '../../../checks/result.ts';
import { updateGolden } from '../../goldens.ts';
import { guardCase } from '../../case-guard.ts';
import { bodyOneLine, responseExcerpt } from '../../../checks/response-excerpt.ts';
import type { ScenarioContext } from '../../kind.ts';
import { requestProblems, tieredRequestProblems } from '../../../checks/upstream-request.ts';
import { hasContentEvent, protocolChecks, type ProtocolInput } from '../../../checks/protocol.ts';
import { cassetteCapabilities } from '../../../checks/scorecard.ts';

/** How long to wait for the gateway's upstream request once the client exchange is over. */
const UPSTREAM_GRACE_MS = 2_000;
/** A case's exchange: response headers within the first, the whole response within the second. */
const HEADERS_TIMEOUT_MS = 10_000;
const CASE_TIMEOUT_MS = 30_000;
/**
 * For an external target, the upstream holds its last write back this long (as-recorded run
 * only): a target that streams delivers the first content before it; one that buffers cannot.
 */
export const BUFFERING_HOLD_MS = 200;

export async function runParityScenario(scenario: ParityScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file, fixtureFiles } = ctx;
  const started = performance.now();
  const cassettes = fixtureFiles.map(loadCassette); // bad input throws before anything runs
  const chunkings: Chunking[] = [{ kind: 'recorded' }];
  if (scenario.chunkings.bytewise) chunkings.push({ kind: 'bytewise' });
  for (let i = 0; i < scenario.chunkings.random; i++) chunkings.push({ kind: 'random', seed: scenario.chunkings.seed + i });
  const masks = [...ctx.target.profile.masks, ...(ctx.target.external ? scenario.masks : [])];

  const cases: CaseResult[] = [];
  for (const mode of ctx.target.modes(scenario.modes)) {
    const open = await ctx.target.open(mode, ctx.replay);
    try {
      for (const cassette of cassettes) {
        if (ctx.signal.aborted) break;
        const result = await guardCase(`${cassette.name} [${mode}]`, relative(process.cwd(), cassette.file), () =>
          runCase(cassette, mode, open.url, chunkings, scenario.speed, masks, ctx),
        );
        cases.push(ctx.target.external ? { ...result, provider: cassette.provider, capabilities: cassetteCapabilities(cassette) } : result);
        ctx.onCase?.(result);
      }
    } finally {
      await open.close();
    }
  }
  return scenarioResult(scenario.name, file, scenario.kind, started, cases);
}

interface Run {
  chunking: Chunking;
  client: Exchange;
  upstream: ReplayExchange | null;
  /** The upstream held its last write back (buffering is judged on this run). */
  held: boolean;
}

async function runCase(
  cassette: Cassette,
  mode: GatewayMode,
  gatewayUrl: string,
  chunkings: readonly Chunking[],
  speed: number,
  masks: readonly string[],
  ctx: ScenarioContext,
): Promise<CaseResult> {
  const started = performance.now();
  const { replay, target } = ctx;
  const level = target.level;
  const slot = cassette.provider;
  const address = addressRequest(target.profile, cassette.provider, String(cassette.request.body['model']), replay.baseUrl(slot));
  const body = { ...cassette.request.body, model: address.model };
  const headers = { ...cassette.request.headers, ...address.headers };
  const url = `${gatewayUrl}${target.profile.chatPath}`;
  const judged = effectiveMode(cassette.provider, mode);

  const runs: Run[] = [];
  for (const chunking of chunkings) {
    let chunks = applyChunking(cassette.response.chunks, chunking);
    let planSpeed = speed;
    const held = target.external && chunking.kind === 'recorded' && speed === 0 && holdable(chunks);
    if (held) {
      chunks = holdLastWrite(chunks);
      planSpeed = 1;
    }
    const armed = replay.arm(slot, { cassette, chunks, speed: planSpeed });
    const client = await sendExchange(url, body, { headers, timeoutMs: CASE_TIMEOUT_MS, headersTimeoutMs: HEADERS_TIMEOUT_MS });
    const upstream = await Promise.race([armed, sleep(UPSTREAM_GRACE_MS).then(() => null)]);
    if (upstream === null) replay.disarm(slot);
    runs.push({ chunking, client, upstream, held });
    // Re-chunkings test how the target reads the upstream: pointless (and slow) when it gave no
    // answer at all, or never read the upstream.
    if (client.status === 0 || upstream === null) break;
  }

  const checks: CheckResult[] = [];
  const first = runs[0]!;
  const notRouted = first.upstream === null;

  checks.push(...requestChecks(runs, cassette, target.external, replay.baseUrl(slot), slot));

  // Protocol: every run's answer on its own; a passthrough target is not blamed for what the
  // upstream itself sent.
  const forwarded = judged === 'passthrough' ? upstreamProtocolFailures(cassette) : new Set<string>();
  // A body cut at the client's cap is not judged (nor parsed: it can be 64 MiB); the status check says why.
  const whole = runs.filter((r) => !r.client.bodyCapped);
  if (whole.length > 0) checks.push(...mergeProtocol(whole, cassette, forwarded));

  // Status and transport.
  const statusProblems = runs.flatMap((r) => [
    ...(r.client.error ? [`${chunkingName(r.chunking)}: ${r.client.error}`] : []),
    ...(r.client.status !== cassette.expect.status
      ? [`${chunkingName(r.chunking)}: status ${r.client.status}, expected ${cassette.expect.status}: ${bodyOneLine(r.client)}`]
      : []),
  ]);
  // The answer itself, so a failure shows what the target said and not only that it differed.
  const failedRun = runs.find((r) => r.client.error || r.client.status !== cassette.expect.status);
  const status: CheckResult =
    statusProblems.length === 0
      ? { name: 'status', ok: true }
      : {
          name: 'status',
          ok: false,
          message: statusProblems[0]!,
          detail: `${statusProblems.join('\n')}\n\nThe target answered (${chunkingName(failedRun!.chunking)}):\n${responseExcerpt(failedRun!.client)}`,
        };
  // From `semantic` on the status must be the cassette's; at `protocol`, protocol.status judges it
  // (any error status answers an upstream error) and this check keeps only transport failures.
  if (levelIncludes(level, 'semantic')) checks.push(status);
  else if (runs.some((r) => r.client.error)) {
    const transport = runs.filter((r) => r.client.error).map((r) => `${chunkingName(r.chunking)}: ${r.client.error}`);
    checks.push({ name: 'status', ok: false, message: transport[0]!, detail: status.detail ?? transport.join('\n') });
  }
  // Whatever the level, a wrong status shows what the target answered.
  const protocolStatus = checks.find((c) => c.name === 'protocol.status');
  if (protocolStatus && !protocolStatus.ok)
    protocolStatus.detail = `${protocolStatus.detail}\n\nThe target answered:\n${responseExcerpt(first.client)}`;
  // A body the client cut at its cap is not the target's answer: its content is not judged (and
  // not parsed: it can be 64 MiB), the status check has already said why the case failed.
  if (first.client.bodyCapped) return caseResult(cassette, started, checks, masks, mode, level, notRouted);

  // Semantic equality with the cassette's reviewed expectation (judged first: --update-goldens
  // writes a golden only for output that holds on its own).
  const seen = readRun(cassette, first);
  const mismatches =
    first.client.status === cassette.expect.status || cassette.expect.status !== 200
      ? semanticMismatches(seen, cassette.expect, judged, ctx.target.external ? invented(cassette) : undefined)
      : ['no successful response to read'];
  const semantic: CheckResult =
    mismatches.length === 0
      ? { name: 'semantic', ok: true }
      : { name: 'semantic', ok: false, message: mismatches[0]!, detail: mismatches.join('\n') };

  if (levelIncludes(level, 'exact')) {
    // Golden: the as-recorded output, byte for byte.
    const output = applyMasksFor(cassette, first.client.body, masks);
    const golden = target.profile.goldensDir ? targetGoldenPath(target.profile.goldensDir, cassette, mode) : goldenPath(cassette, mode);
    if (ctx.updateGoldens) {
      const protocolFailures = checks.filter((c) => c.name.startsWith('protocol.') && !c.ok);
      checks.push(updateGolden(golden, first.client.body, [status, semantic, ...protocolFailures], ctx.log));
    } else if (!existsSync(golden)) {
      checks.push({
        name: 'golden',
        ok: false,
        message: `no golden at ${relative(process.cwd(), golden)}; run with --update-goldens and review the diff`,
      });
    } else {
      checks.push(compareWithGolden('golden', applyMasksFor(cassette, readFileSync(golden), masks), output));
    }
    // Chunking invariance: every re-chunked replay gives the as-recorded output.
    for (const run of runs.slice(1)) {
      checks.push(compareWithGolden(`chunking:${chunkingName(run.chunking)}`, output, applyMasksFor(cassette, run.client.body, masks)));
    }
  } else {
    // Below exact the bytes may differ between runs; what a client makes of them may not.
    for (const run of runs.slice(1)) checks.push(sameMeaning(`chunking:${chunkingName(run.chunking)}`, seen, readRun(cassette, run)));
  }

  if (levelIncludes(level, 'semantic')) checks.push(semantic);

  return caseResult(cassette, started, checks, masks, mode, level, notRouted);
}

function caseResult(
  cassette: Cassette,
  started: number,
  checks: CheckResult[],
  masks: readonly string[],
  mode: GatewayMode,
  level: ConformanceLevel,
  notRouted: boolean,
): CaseResult {
  const result: CaseResult = {
    name: `${cassette.name} [${mode}]`,
    file: relative(process.cwd(), cassette.file),
    status: checks.every((c) => c.ok) ? 'pass' : 'fail',
    durationMs: performance.now() - started,
    checks,
    level,
  };
  if (masks.length) result.masks = [...masks];
  if (notRouted) result.notRouted = true;
  return result;
}

/** The upstream request of every run: both tiers fail the reference; a --target fails only on required facts. */
function requestChecks(runs: readonly Run[], cassette: Cassette, external: boolean, baseUrl: string, slot: string): CheckResult[] {
  const required = new Set<string>();
  const reference = new Set<string>();
  for (const run of runs) {
    if (!run.upstream) {
      required.add(`the target never called the replay upstream: is it configured with base URL ${baseUrl} for provider ${slot}?`);
    } else if (!external) {
      for (const p of requestProblems(run.upstream)) required.add(p);
    } else {
      const tiers = tieredRequestProblems(run.upstream.expected, run.upstream.request);
      for (const p of tiers.required) required.add(p);
      for (const p of tiers.reference) reference.add(p);
    }
  }
  const checks: CheckResult[] = [
    required.size === 0
      ? { name: 'request', ok: true }
      : {
          name: 'request',
          ok: false,
          message: `upstream request does not match the cassette: ${[...required][0]}`,
          detail: [...required].join('\n'),
        },
  ];
  if (reference.size > 0)
    checks.push({
      name: 'request.reference',
      ok: true,
      note: true,
      message: `differs from the reference gateway's upstream request (not required of other gateways): ${[...reference][0]}`,
      detail: `${[...reference].join('\n')}\n\n(${relative(process.cwd(), cassette.file)}: upstreamRequest.required lists the facts every gateway must send)`,
    });
  return checks;
}

/** Protocol checks over every run, merged by name: the first run as it is, the others prefixed with their chunking. */
function mergeProtocol(runs: readonly Run[], cassette: Cassette, forwarded: ReadonlySet<string>): CheckResult[] {
  const merged = new Map<string, CheckResult>();
  for (const run of runs) {
    if (run.client.status === 0) continue; // no answer: the status check says so
    const prefix = run === runs[0] ? '' : `${chunkingName(run.chunking)}: `;
    for (const c of protocolChecks(protocolInput(cassette, run))) {
      const had = merged.get(c.name);
      if (!had || (had.ok && !c.ok)) merged.set(c.name, c.ok ? c : { ...c, message: `${prefix}${c.message}` });
    }
  }
  return [...merged.values()].map((c) =>
    c.ok || !forwarded.has(c.name)
      ? c
      : {
          name: c.name,
          ok: true,
          note: true,
          message: `forwarded from the upstream as it came (passthrough): ${c.message}`,
          detail: c.detail,
        },
  );
}

function protocolInput(cassette: Cassette, run: Run): ProtocolInput {
  const body = cassette.request.body;
  const options = body['stream_options'] as { include_usage?: unknown } | undefined;
  const lastWrite = run.held ? run.upstream?.lastWriteAt : undefined;
  return {
    status: run.client.status,
    headers: run.client.headers,
    reads: run.client.reads,
    request: {
      stream: body['stream'] === true,
      includeUsage: options?.include_usage === true,
      choices: typeof body['n'] === 'number' ? body['n'] : 1,
    },
    upstreamUsage: cassette.expect.usage !== undefined,
    expectedStatus: cassette.expect.status,
    upstreamLastWriteAt: lastWrite === undefined ? null : hrtimeOf(lastWrite),
  };
}

/** Names of the protocol checks the upstream's own answer fails (what a passthrough forwards unchanged). */
function upstreamProtocolFailures(cassette: Cassette): Set<string> {
  const input = protocolInput(cassette, {
    chunking: { kind: 'recorded' },
    held: false,
    upstream: null,
    client: {
      status: cassette.response.status,
      headers: cassette.response.headers,
      reads: cassette.response.chunks.map((c) => ({ at: 0n, bytes: c.bytes })),
      body: Buffer.alloc(0),
      startedAt: 0n,
      endedAt: 0n,
      aborted: false,
    },
  });
  return new Set(
    protocolChecks(input)
      .filter((c) => !c.ok)
      .map((c) => c.name),
  );
}

/** Worth holding back: the reads before the last one already carry content a client would show. */
function holdable(chunks: readonly ReplayChunk[]): boolean {
  return chunks.length >= 2 && hasContentEvent(Buffer.concat(chunks.slice(0, -1).map((c) => c.bytes)));
}

/** Every read at once, then the last one BUFFERING_HOLD_MS later (played at speed 1). */
function holdLastWrite(chunks: readonly ReplayChunk[]): ReplayChunk[] {
  return chunks.map((c, i) => ({ bytes: c.bytes, at: i === chunks.length - 1 ? BUFFERING_HOLD_MS : 0 }));
}

/** A performance.now() time on the hrtime clock the client stamps its reads with (both are monotonic, from one source). */
function hrtimeOf(perfMs: number): bigint {
  return process.hrtime.bigint() - BigInt(Math.round((performance.now() - perfMs) * 1e6));
}

function readRun(cassette: Cassette, run: Run): SemanticOutput {
  // An error status comes as one OpenAI error body, streaming client or not.
  return cassette.streaming && run.client.status < 300 ? readOpenAIStream(run.client.body) : readOpenAICompletion(run.client.body);
}

/** What a client makes of a re-chunked run equals what it made of the as-recorded one. */
function sameMeaning(name: string, want: SemanticOutput, got: SemanticOutput): CheckResult {
  const keys = ['text', 'refusal', 'reasoning', 'toolCalls', 'usage', 'finishReason', 'error', 'sawDone'] as const;
  for (const k of keys) {
    const a = JSON.stringify(want[k]);
    const b = JSON.stringify(got[k]);
    if (a !== b)
      return { name, ok: false, message: `${k} differs from the as-recorded run: expected ${a.slice(0, 200)}, got ${b.slice(0, 200)}` };
  }
  return { name, ok: true };
}

/** A target's own golden: <goldens>/<provider>/<cassette>.<mode>.<sse|json>. */
function targetGoldenPath(dir: string, cassette: Cassette, mode: GatewayMode): string {
  return join(dir, cassette.provider, basename(goldenPath(cassette, mode)));
}

/** A route in passthrough mode normalizes anyway when its upstream is not OpenAI-shaped. */
function effectiveMode(provider: string, mode: GatewayMode): GatewayMode {
  return mode === 'passthrough' && getProvider(provider)?.supportsPassthrough !== true ? 'normalize' : mode;
}

function applyMasksFor(cassette: Cassette, body: Buffer, masks: readonly string[]): Buffer {
  return cassette.streaming ? applyMasks(body, masks) : body;
}

/**
 * Tool-call ids the expectation names but the upstream never sent (Gemini sends none): the
 * reference gateway's invention, which another gateway makes in its own way.
 */
function invented(cassette: Cassette): Set<string> {
  const upstream = Buffer.concat(cassette.response.chunks.map((c) => c.bytes)).toString('utf8');
  return new Set(cassette.expect.toolCalls.map((t) => t.id).filter((id) => !upstream.includes(id)));
}
