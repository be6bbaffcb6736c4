// `streamproof run [paths…]`: runs scenarios, prints a summary, writes reports, exits 0/1/2.
import { join, relative } from 'node:path';
import type { CliIo } from './io.ts';
import { makeRunId, prepareReportDir, renderConsoleSummary, renderProgressLine, writeReports } from '../report/index.ts';
import { runScenarios } from '../scenario/run.ts';
import { unreviewedCassettes } from '../scenario/reviewed.ts';
import { externalTarget, referenceTarget } from '../target/target.ts';
import { providerNames } from '../providers/index.ts';
import { CONFORMANCE_LEVELS, loadTargetProfile, REFERENCE_PROFILE, type ConformanceLevel } from '../target/profile.ts';
import { buildScorecard } from '../checks/scorecard.ts';
import { parseFlags } from './args.ts';
import { isSharded, runSharded, SHARD_FLAGS, SHARD_USAGE } from './shard.ts';
import { openRequestsFlag, REQUESTS_FLAG, REQUESTS_USAGE } from './requests-flag.ts';
import { UsageError } from '../base/errors.ts';
import { BASELINE_USAGE, readBaselineFlags, withBaseline } from './baseline-flags.ts';
import { applyConfigThresholds, loadProjectConfig, selectScenarios, targetSettings } from './project-config.ts';

export const USAGE = `usage: streamproof run [paths…] [--suite NAME]… [--target URL] [--target-profile FILE] [--level L] [--report-dir DIR]
                       [--update-goldens] [--replay-port N] [--require-reviewed] [--baseline FILE [--baseline-tolerance P]] [--config FILE]

  paths              scenario files or directories (default: ./scenarios when it exists, else
                     the built-in conformance suite)
  --suite NAME       a built-in suite, from any directory: conformance, faults, fuzz, bench
                     (\`streamproof suites\` lists them)
  --config FILE      project settings (default: ./streamproof.yaml when present); flags win
  --target URL       put an external gateway under test instead of the in-process reference gateway
  --target-profile   YAML saying how the target addresses each provider (default: the reference profile)
  --level L          conformance level: protocol, semantic or exact (default: the profile's
                     level:, else exact for the reference gateway and semantic for a --target;
                     docs/conformance-levels.md)
  --report-dir DIR   where reports go (default: reports/<run-id>)
  --update-goldens   write each case's as-recorded output as its golden (review the diff!); with
                     --target, into the directory the profile's goldens: names
  --replay-port N    fixed port for the replay upstream (so a target's config can point at it)
  --require-reviewed fail (exit 1, before any traffic) when a cassette's expect is not reviewed
                     (reviewed: false, as record and import write it); without it, a warning
${BASELINE_USAGE}
${REQUESTS_USAGE}
${SHARD_USAGE}`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    target: { type: 'string' },
    'target-profile': { type: 'string' },
    level: { type: 'string' },
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
    ...REQUESTS_FLAG,
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (isSharded(values)) return runSharded('run', values, positionals, io);
  const loadedConfig = loadProjectConfig(values.config);
  const config = loadedConfig?.config ?? null;
  const { replayPort, targetUrl, profileFile } = targetSettings(values, config);
  const level = readLevel(values.level);
  const baseline = readBaselineFlags(values, config);
  const profile = profileFile ? loadTargetProfile(profileFile) : REFERENCE_PROFILE;
  if (targetUrl && values['update-goldens'] && !profile.goldensDir)
    throw new UsageError(
      "--update-goldens with --target writes the target's own goldens into the directory its profile names (goldens: DIR in --target-profile); the shipped goldens are the reference gateway's",
    );
  if (values['update-goldens'] && level !== undefined && level !== 'exact')
    throw new UsageError(`--update-goldens writes goldens, which only the exact level reads; drop --level ${level}`);
  const target = targetUrl
    ? externalTarget(targetUrl, profile, level ?? (values['update-goldens'] ? 'exact' : undefined))
    : referenceTarget(level);
  const selection = selectScenarios({ paths: positionals, suites: values.suite }, config, { folder: 'scenarios', suite: 'conformance' });
  if (values['update-goldens'] && selection.builtIn && !target.external)
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
  // Not a terminal (CI, a pipe, a file): a line per case on stdout as it finishes, instead of silence.
  const caseLines = process.stdout.isTTY !== true;
  let casesDone = 0;
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
  const requests = openRequestsFlag(values, reportDir);
  const run = await runScenarios({
    requests,
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
    onCase(scenario, result, position) {
      casesDone++;
      if (progress) io.stderr(`\r\x1b[2K${result.status === 'pass' ? 'PASS' : 'FAIL'}  ${scenario}: ${result.name}`);
      if (caseLines) io.stdout(`${renderProgressLine({ caseNumber: casesDone, scenario, ...position }, result)}\n`);
    },
    log: (line) => io.stderr(`${progress ? '\r\x1b[2K' : ''}${line}\n`),
  }).finally(() => {
    requests?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  if (progress) io.stderr('\r\x1b[2K');
  const gated = applyConfigThresholds(run, config?.thresholds ?? {}, loadedConfig?.file ?? '');
  if (gated.line) io.stdout(`${gated.line}\n`);
  const { summary: baselined, line } = withBaseline(gated.summary, baseline);
  if (line) io.stdout(`${line}\n`);
  const scorecard = target.external ? buildScorecard(baselined) : null;
  const summary = { ...baselined, level: target.level, ...(scorecard ? { scorecard } : {}) };
  await writeReports(summary, reportDir, { command: ['streamproof', 'run', ...args].join(' ') });
  io.stdout(`${renderConsoleSummary(summary, relative(process.cwd(), reportDir) || '.', { color: process.stdout.isTTY === true })}\n`);
  io.stdout(`level: ${target.level}${scorecard ? `; ${scorecard.line}` : ''}\n`);
  if (unreviewed.length > 0)
    io.stdout(`warning: ${unreviewed.length} cassette(s) with an unreviewed expect (listed above); --require-reviewed fails on them\n`);
  if (interrupt.signal.aborted) return 130;
  return summary.status === 'pass' ? 0 : 1;
}

function readLevel(value: string | undefined): ConformanceLevel | undefined {
  if (value === undefined) return undefined;
  if (!(CONFORMANCE_LEVELS as readonly string[]).includes(value))
    throw new UsageError(`--level ${value}: the levels are ${CONFORMANCE_LEVELS.join(', ')}`);
  return value as ConformanceLevel;
}

/** A path relative to the working directory when it is under it, else as it is. */
function shownPath(file: string): string {
  const r = relative(process.cwd(), file);
  return r === '' || r.startsWith('..') ? file : r;
}
