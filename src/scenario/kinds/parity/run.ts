// `kind: parity`: every cassette, through the gateway, as recorded and re-chunked; the output is
// checked against the golden byte for byte, for chunking invariance, for meaning (text, tool
// calls, usage, finish reason, errors) and the upstream request against the cassette.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCassette, goldenPath, type Cassette } from '../../../cassette/cassette.ts';
import { applyChunking, chunkingName, type Chunking } from '../../../cassette/chunking.ts';
import type { ReplayExchange } from '../../../replay/upstream.ts';
import { sendExchange, type Exchange } from '../../../client/exchange.ts';
import { compareWithGolden } from '../../../checks/golden.ts';
import { applyMasks } from '../../../checks/masks.ts';
import { readOpenAICompletion, readOpenAIStream, semanticMismatches } from '../../../checks/semantic.ts';
import type { CaseResult, CheckResult, ScenarioResult } from '../../../checks/result.ts';
import { addressRequest } from '../../../target/profile.ts';
import { getProvider } from '../../../providers/index.ts';
import type { ParityScenario } from './schema.ts';
import type { GatewayMode } from '../../../target/target.ts';
import { scenarioResult } from '../../../checks/result.ts';
import { updateGolden } from '../../goldens.ts';
import { guardCase } from '../../case-guard.ts';
import { bodyOneLine, responseExcerpt } from '../../../checks/response-excerpt.ts';
import type { ScenarioContext } from '../../kind.ts';
import { requestProblems } from '../../../checks/upstream-request.ts';

/** How long to wait for the gateway's upstream request once the client exchange is over. */
const UPSTREAM_GRACE_MS = 2_000;
/** A case's exchange: response headers within the first, the whole response within the second. */
const HEADERS_TIMEOUT_MS = 10_000;
const CASE_TIMEOUT_MS = 30_000;

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
        cases.push(result);
        ctx.onCase?.(result);
      }
    } finally {
      await open.close();
    }
  }
  return scenarioResult(scenario.name, file, scenario.kind, started, cases);
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
  const slot = cassette.provider;
  const address = addressRequest(target.profile, cassette.provider, String(cassette.request.body['model']), replay.baseUrl(slot));
  const body = { ...cassette.request.body, model: address.model };
  const headers = { ...cassette.request.headers, ...address.headers };
  const url = `${gatewayUrl}${target.profile.chatPath}`;

  const runs: { chunking: Chunking; client: Exchange; upstream: ReplayExchange | null }[] = [];
  for (const chunking of chunkings) {
    const armed = replay.arm(slot, { cassette, chunks: applyChunking(cassette.response.chunks, chunking), speed });
    const client = await sendExchange(url, body, { headers, timeoutMs: CASE_TIMEOUT_MS, headersTimeoutMs: HEADERS_TIMEOUT_MS });
    const upstream = await Promise.race([armed, sleep(UPSTREAM_GRACE_MS).then(() => null)]);
    if (upstream === null) replay.disarm(slot);
    runs.push({ chunking, client, upstream });
    // Re-chunkings test how the target reads the upstream: pointless (and slow) when it gave no
    // answer at all, or never read the upstream.
    if (client.status === 0 || upstream === null) break;
  }

  const checks: CheckResult[] = [];
  const first = runs[0]!;

  // Request parity: the upstream request of every replay must match the cassette.
  const problems = new Set<string>();
  for (const run of runs) {
    if (!run.upstream) {
      problems.add(
        `the target never called the replay upstream: is it configured with base URL ${replay.baseUrl(slot)} for provider ${slot}?`,
      );
    } else for (const p of requestProblems(run.upstream)) problems.add(p);
  }
  checks.push(
    problems.size === 0
      ? { name: 'request', ok: true }
      : {
          name: 'request',
          ok: false,
          message: `upstream request does not match the cassette: ${[...problems][0]}`,
          detail: [...problems].join('\n'),
        },
  );

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
  checks.push(status);
  // A body the client cut at its cap is not the target's answer: its content is not judged (and
  // not parsed: it can be 64 MiB), the status check has already said why the case failed.
  if (first.client.bodyCapped) return caseResult(cassette, started, checks, masks, mode);

  // Semantic equality with the cassette's reviewed expectation (judged first: --update-goldens
  // writes a golden only for output that holds on its own).
  // An error status comes as one OpenAI error body, streaming client or not.
  const seen =
    cassette.streaming && first.client.status < 300 ? readOpenAIStream(first.client.body) : readOpenAICompletion(first.client.body);
  const mismatches =
    first.client.status === cassette.expect.status || cassette.expect.status !== 200
      ? semanticMismatches(seen, cassette.expect, effectiveMode(cassette.provider, mode))
      : ['no successful response to read'];
  const semantic: CheckResult =
    mismatches.length === 0
      ? { name: 'semantic', ok: true }
      : { name: 'semantic', ok: false, message: mismatches[0]!, detail: mismatches.join('\n') };

  // Golden: the as-recorded output, byte for byte.
  const output = applyMasksFor(cassette, first.client.body, masks);
  const golden = goldenPath(cassette, mode);
  if (ctx.updateGoldens) {
    checks.push(updateGolden(golden, first.client.body, [status, semantic], ctx.log));
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

  checks.push(semantic);

  return caseResult(cassette, started, checks, masks, mode);
}

function caseResult(cassette: Cassette, started: number, checks: CheckResult[], masks: readonly string[], mode: GatewayMode): CaseResult {
  const result: CaseResult = {
    name: `${cassette.name} [${mode}]`,
    file: relative(process.cwd(), cassette.file),
    status: checks.every((c) => c.ok) ? 'pass' : 'fail',
    durationMs: performance.now() - started,
    checks,
  };
  if (masks.length) result.masks = [...masks];
  return result;
}

/** A route in passthrough mode normalizes anyway when its upstream is not OpenAI-shaped. */
function effectiveMode(provider: string, mode: GatewayMode): GatewayMode {
  return mode === 'passthrough' && getProvider(provider)?.supportsPassthrough !== true ? 'normalize' : mode;
}

function applyMasksFor(cassette: Cassette, body: Buffer, masks: readonly string[]): Buffer {
  return cassette.streaming ? applyMasks(body, masks) : body;
}
