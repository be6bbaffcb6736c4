// `streamproof fuzz`: the fuzz properties from the command line, for quick runs and long soaks.
import { join, relative } from 'node:path';
import type { CliIo } from './io.ts';
import { parseDuration } from '../base/duration.ts';

import { PROPERTY_NAMES, type PropertyName } from '../fuzz/properties.ts';
import { fuzzProviderNames, runFuzz } from '../fuzz/run-fuzz.ts';
import { makeRunId, renderConsoleSummary, writeReports, SUMMARY_VERSION, type RunSummary } from '../report/index.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { parseFlags } from './args.ts';
import { UsageError } from '../base/errors.ts';

export const USAGE = `usage: streamproof fuzz [--provider P]… [--property NAME]… [--runs N] [--seed S] [--time-budget 60s] [--report-dir DIR]

  --provider P       fuzz only this provider (repeatable; default: all with a generator)
  --property NAME    ${PROPERTY_NAMES.join(' | ')} (repeatable; default: all)
  --runs N           runs per property and provider (default 200; hundreds of thousands for a long run)
  --seed S           fast-check seed (default: a fresh one, printed so the run can be repeated)
  --time-budget T    total time limit, shared by every property and provider (default 60s)
  --report-dir DIR   reports and counterexamples (default: reports/<run-id>)`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, {
    provider: { type: 'string', multiple: true },
    property: { type: 'string', multiple: true },
    runs: { type: 'string', default: '200' },
    seed: { type: 'string' },
    'time-budget': { type: 'string', default: '60s' },
    'report-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const known = fuzzProviderNames();
  for (const p of values.provider ?? [])
    if (!known.includes(p)) throw new UsageError(`no fuzz generator for provider ${JSON.stringify(p)} (have: ${known.join(', ')})`);
  for (const p of values.property ?? [])
    if (!(PROPERTY_NAMES as readonly string[]).includes(p))
      throw new UsageError(`unknown property ${JSON.stringify(p)} (have: ${PROPERTY_NAMES.join(', ')})`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a positive whole number, got ${values.runs}`);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got ${values.seed}`);
  const budget = parseDuration(values['time-budget']);
  if (budget === null) throw new UsageError(`--time-budget must be a duration like 60s or 5m, got ${values['time-budget']}`);

  const providers = values.provider ?? known;
  const properties = (values.property ?? [...PROPERTY_NAMES]) as PropertyName[];
  const runId = makeRunId(new Date());
  const reportDir = values['report-dir'] ?? join('reports', runId);
  io.stderr(`fuzz: seed ${seed}, ${runs} runs per property and provider, budget ${values['time-budget']}\n`);
  const started = performance.now();
  const cases = await runFuzz({
    providers,
    properties,
    runs,
    seed,
    timeBudgetMs: Math.max(1, Math.floor(budget / (providers.length * properties.length))),
    counterexampleDir: join(reportDir, 'counterexamples'),
    onResult: (r) => io.stderr(`  ${r.status === 'pass' ? 'PASS' : 'FAIL'}  ${r.name}  ${r.checks[0]?.message ?? ''}\n`),
  });
  const failed = cases.filter((c) => c.status === 'fail').length;
  const durationMs = performance.now() - started;
  const summary: RunSummary = {
    version: SUMMARY_VERSION,
    tool: { name: 'streamproof', version: TOOL_VERSION },
    runId,
    startedAt: new Date(Date.now() - durationMs).toISOString(),
    durationMs,
    target: 'reference gateway stream pipelines (in-process)',
    status: failed ? 'fail' : 'pass',
    totals: { scenarios: 1, cases: cases.length, passed: cases.length - failed, failed, skipped: 0 },
    scenarios: [{ name: `fuzz (seed ${seed})`, file: '(command line)', kind: 'fuzz', status: failed ? 'fail' : 'pass', durationMs, cases }],
  };
  await writeReports(summary, reportDir);
  io.stdout(`${renderConsoleSummary(summary, relative(process.cwd(), reportDir) || '.', { color: process.stdout.isTTY === true })}\n`);
  return failed ? 1 : 0;
}
