// `streamproof run [paths…]`: runs scenarios, prints a summary, writes reports, exits 0/1/2.
import { join, relative } from 'node:path';
import type { CliIo } from './io.ts';
import { makeRunId, prepareReportDir, renderConsoleSummary, writeReports } from '../report/index.ts';
import { runScenarios } from '../scenario/run.ts';
import { unreviewedCassettes } from '../scenario/reviewed.ts';
import { externalTarget, referenceTarget } from '../target/target.ts';
import { providerNames } from '../providers/index.ts';
import { loadTargetProfile, REFERENCE_PROFILE } from '../target/profile.ts';
import { parseFlags } from './args.ts';
import { isSharded, runSharded, SHARD_FLAGS, SHARD_USAGE } from './shard.ts';
import { UsageError } from '../base/errors.ts';
import { BASELINE_USAGE, readBaselineFlags, withBaseline } from './baseline-flags.ts';
import { applyConfigThresholds, loadProjectConfig, selectScenarios, targetSettings } from './project-config.ts';

export const USAGE = `usage: streamproof run [paths…] [--suite NAME]… [--target URL] [--target-profile FILE] [--report-dir DIR]
                       [--update-goldens] [--replay-port N] [--require-reviewed] [--baseline FILE [--baseline-tolerance P]] [--config FILE]

  paths              scenario files or directories (default: ./scenarios when it exists, else
                     the built-in conformance suite)
  --suite NAME       a built-in suite, from any directory: conformance, faults, fuzz, bench
                     (\`streamproof suites\` lists them)
  --config FILE      project settings (default: ./streamproof.yaml when present); flags win
  --target URL       put an external gateway under test instead of the in-process reference gateway
  --target-profile   YAML saying how the target addresses each provider (default: the reference profile)
  --report-dir DIR   where reports go (default: reports/<run-id>)
  --update-goldens   write each case's as-recorded output as its golden (review the diff!)
  --replay-port N    fixed port for the replay upstream (so a target's config can point at it)
  --require-reviewed fail (exit 1, before any traffic) when a cassette's expect is not reviewed
                     (reviewed: false, as record and import write it); without it, a warning
${BASELINE_USAGE}
${SHARD_USAGE}`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    target: { type: 'string' },
    'target-profile': { type: 'string' },
    'report-dir': { type: 'string' },
    'update-goldens': { type: 'boolean', default: false },
    'replay-port': { type: 'string' },
    'require-reviewed': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    'baseline-tolerance': { type: 'string' },
    'baseline-strict': { type: 'boolean', default: false },
    suite: { type: 'string', multiple: true, default: [] },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
    ...SHARD_FLAGS,
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (isSharded(values)) return runSharded('run', values, positionals, io);
  const loadedConfig = loadProjectConfig(values.config);
  const config = loadedConfig?.config ?? null;
  const { replayPort, targetUrl, profileFile } = targetSettings(values, config);
  if (targetUrl && values['update-goldens'])
    throw new UsageError('--update-goldens writes goldens from the reference gateway only; drop --target (or target in the config)');

  const baseline = readBaselineFlags(values, config);
  const profile = profileFile ? loadTargetProfile(profileFile) : REFERENCE_PROFILE;
  const target = targetUrl ? externalTarget(targetUrl, profile) : referenceTarget();
  const selection = selectScenarios({ paths: positionals, suites: values.suite }, config, { folder: 'scenarios', suite: 'conformance' });
  if (values['update-goldens'] && selection.builtIn)
    throw new UsageError(
      "--update-goldens writes beside the scenarios it runs: name your own, not a built-in suite (its goldens are the package's)",
    );
  const scenarioFiles = selection.files;
  if (scenarioFiles.length === 0) throw new UsageError(`no scenario files under ${positionals.join(', ') || 'scenarios'}`);
  if (loadedConfig) io.stdout(`config: ${loadedConfig.file}\n`);
  if (selection.note) io.stdout(`${selection.note}\n`);
  const unreviewed = unreviewedCassettes(scenarioFiles);
  for (const u of unreviewed) {
    io.stderr(
      `${values['require-reviewed'] ? 'error' : 'warning'}: ${shownPath(u.file)}${u.line !== null ? `:${u.line}` : ''}: expect is not reviewed (reviewed: false): check it against the stream, then set reviewed: true\n`,
    );
  }
  if (values['require-reviewed'] && unreviewed.length > 0) {
    io.stderr(`--require-reviewed: ${unreviewed.length} cassette(s) with an unreviewed expect; nothing was run\n`);
    return 1;
  }
  const runId = makeRunId(new Date());
  const reportDir = values['report-dir'] ?? config?.reportDir ?? join('reports', runId);
  const progress = process.stderr.isTTY === true;
  prepareReportDir(reportDir);

  // Ctrl-C: finish the case in progress, write the reports of what finished; a second one quits.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    io.stderr(`\n${signal}: finishing the current case and writing the reports (again to quit at once)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const run = await runScenarios({
    signal: interrupt.signal,
    scenarioFiles,
    target,
    runId,
    updateGoldens: values['update-goldens'],
    reportDir,
    replayPort,
    onReplayReady(replay) {
      if (!target.external) return;
      io.stdout(`replay upstream: ${replay.url}\n`);
      if (profile.upstream === 'config') {
        io.stdout('configure the target with these provider base URLs:\n');
        for (const p of providerNames()) io.stdout(`  ${p.padEnd(18)} ${replay.baseUrl(p)}\n`);
      }
    },
    onCase(scenario, result) {
      if (progress) io.stderr(`\r\x1b[2K${result.status === 'pass' ? 'PASS' : 'FAIL'}  ${scenario}: ${result.name}`);
    },
    log: (line) => io.stderr(`${progress ? '\r\x1b[2K' : ''}${line}\n`),
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  if (progress) io.stderr('\r\x1b[2K');
  const gated = applyConfigThresholds(run, config?.thresholds ?? {}, loadedConfig?.file ?? '');
  if (gated.line) io.stdout(`${gated.line}\n`);
  const { summary, line } = withBaseline(gated.summary, baseline);
  if (line) io.stdout(`${line}\n`);
  await writeReports(summary, reportDir);
  io.stdout(`${renderConsoleSummary(summary, relative(process.cwd(), reportDir) || '.', { color: process.stdout.isTTY === true })}\n`);
  if (unreviewed.length > 0)
    io.stdout(`warning: ${unreviewed.length} cassette(s) with an unreviewed expect (listed above); --require-reviewed fails on them\n`);
  if (interrupt.signal.aborted) return 130;
  return summary.status === 'pass' ? 0 : 1;
}

/** A path relative to the working directory when it is under it, else as it is. */
function shownPath(file: string): string {
  const r = relative(process.cwd(), file);
  return r === '' || r.startsWith('..') ? file : r;
}
