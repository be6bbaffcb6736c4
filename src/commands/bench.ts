// `streamproof bench [paths…]`: runs the benchmark scenarios (default scenarios/bench) like
// `run`, prints each case's gated figures with their targets, optionally compares with a
// baseline, and with --benchmarks-md writes the figures to BENCHMARKS.md.
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import type { CliIo } from './io.ts';
import { BASELINE_USAGE, readBaselineFlags, withBaseline } from './baseline-flags.ts';
import { renderBenchmarksMd } from '../report/benchmarks-md.ts';
import { machineInfo } from '../report/machine.ts';
import { makeRunId, prepareReportDir, renderConsoleSummary, renderFigures, writeReports } from '../report/index.ts';
import { runScenarios } from '../scenario/run.ts';
import { externalTarget, referenceTarget } from '../target/target.ts';
import { loadTargetProfile, REFERENCE_PROFILE } from '../target/profile.ts';
import { parseFlags } from './args.ts';
import { isSharded, runSharded, SHARD_FLAGS, SHARD_USAGE } from './shard.ts';
import { openRequestsFlag, REQUESTS_FLAG, REQUESTS_USAGE } from './requests-flag.ts';
import { UsageError } from '../base/errors.ts';
import { applyConfigThresholds, loadProjectConfig, selectScenarios, targetSettings } from './project-config.ts';

export const USAGE = `usage: streamproof bench [paths…] [--suite NAME]… [--target URL] [--target-profile FILE] [--replay-port N]
                         [--report-dir DIR] [--baseline FILE [--baseline-tolerance P]] [--benchmarks-md FILE] [--config FILE]

  paths              benchmark scenario files or directories (default: ./scenarios/bench when it
                     exists, else the built-in bench suite)
  --suite NAME       a built-in suite (\`streamproof suites\` lists them)
  --config FILE      project settings (default: ./streamproof.yaml when present): its target,
                     targetProfile, replayPort, reportDir, baseline and thresholds; flags win
  --target URL       benchmark an external gateway (with --replay-port, configure it with the
                     printed base URLs; or \`upstream: live\` scenarios for client-side figures only)
  --target-profile   how the target addresses each provider (default: the reference profile)
  --replay-port N    fixed port for the replay upstream an external target is configured with
  --report-dir DIR   where reports go (default: reports/<run-id>)
${BASELINE_USAGE}
  --benchmarks-md F  write the figures, the command and the machine to F (e.g. BENCHMARKS.md)
  --benchmarks-notes N
                     a Markdown file of hand-written analysis to include in F (kept across runs)
${REQUESTS_USAGE}
${SHARD_USAGE}`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    target: { type: 'string' },
    'target-profile': { type: 'string' },
    'replay-port': { type: 'string' },
    'report-dir': { type: 'string' },
    baseline: { type: 'string' },
    'baseline-tolerance': { type: 'string' },
    'baseline-strict': { type: 'boolean', default: false },
    'benchmarks-md': { type: 'string' },
    'benchmarks-notes': { type: 'string' },
    suite: { type: 'string', multiple: true, default: [] },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
    ...SHARD_FLAGS,
    ...REQUESTS_FLAG,
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (isSharded(values)) return runSharded('bench', values, positionals, io);
  const loadedConfig = loadProjectConfig(values.config);
  const config = loadedConfig?.config ?? null;
  const { replayPort, targetUrl, profileFile } = targetSettings(values, config);
  const baseline = readBaselineFlags(values, config);
  if (values['benchmarks-notes'] && !values['benchmarks-md']) throw new UsageError('--benchmarks-notes goes with --benchmarks-md');
  const notes = values['benchmarks-notes'] ? await readNotes(values['benchmarks-notes']) : undefined;
  const profile = profileFile ? loadTargetProfile(profileFile) : REFERENCE_PROFILE;
  const target = targetUrl ? externalTarget(targetUrl, profile) : referenceTarget();
  // The config's suites and scenarios are what `run` runs; bench keeps to its own default.
  const selection = selectScenarios({ paths: positionals, suites: values.suite }, null, { folder: 'scenarios/bench', suite: 'bench' });
  const scenarioFiles = selection.files;
  if (scenarioFiles.length === 0) throw new UsageError(`no scenario files under ${positionals.join(', ') || 'scenarios/bench'}`);
  if (loadedConfig) io.stdout(`config: ${loadedConfig.file}\n`);
  if (selection.note) io.stdout(`${selection.note}\n`);
  const runId = makeRunId(new Date());
  const reportDir = values['report-dir'] ?? config?.reportDir ?? join('reports', runId);
  prepareReportDir(reportDir);
  const machine = machineInfo();
  io.stderr(
    `bench: ${scenarioFiles.length} scenario(s) on ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}; load average ${machine.load[0].toFixed(2)}\n`,
  );

  const requests = openRequestsFlag(values, reportDir);
  const run = await runScenarios({
    requests,
    scenarioFiles,
    target,
    runId,
    updateGoldens: false,
    reportDir,
    replayPort,
    onReplayReady(replay) {
      if (target.external) io.stdout(`replay upstream: ${replay.url} (provider base URLs: ${replay.url}/p/<provider>)\n`);
    },
    log: (line) => io.stderr(`${line}\n`),
  }).finally(() => requests?.close());
  const gated = applyConfigThresholds(run, config?.thresholds ?? {}, loadedConfig?.file ?? '');
  if (gated.line) io.stdout(`${gated.line}\n`);
  const { summary, line } = withBaseline(gated.summary, baseline);
  await writeReports(summary, reportDir, { command: ['streamproof', 'bench', ...args].join(' ') });
  const shownDir = relative(process.cwd(), reportDir) || '.';
  io.stdout(`${renderFigures(summary)}\n`);
  if (line) io.stdout(`${line}\n`);
  if (values['benchmarks-md']) {
    const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
    const command = ['npx streamproof bench', ...args].join(' ');
    await writeFile(
      values['benchmarks-md'],
      renderBenchmarksMd({ summary, command, machine, loadAfter: [l1, l5, l15], reportDir: shownDir, notes }),
      'utf8',
    );
    io.stdout(`figures written to ${values['benchmarks-md']}\n`);
  }
  io.stdout(`${renderConsoleSummary(summary, shownDir, { color: process.stdout.isTTY === true })}\n`);
  return summary.status === 'pass' ? 0 : 1;
}

async function readNotes(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--benchmarks-notes ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
