// `streamproof run [paths…]`: runs scenarios, prints a summary, writes reports, exits 0/1/2.
import { join, relative } from 'node:path';
import type { CliIo } from './io.ts';
import { makeRunId, renderConsoleSummary, writeReports } from '../report/index.ts';
import { findScenarioFiles } from '../scenario/load.ts';
import { runScenarios } from '../scenario/run.ts';
import { unreviewedCassettes } from '../scenario/reviewed.ts';
import { externalTarget, referenceTarget } from '../target/target.ts';
import { providerNames } from '../providers/index.ts';
import { loadTargetProfile, REFERENCE_PROFILE } from '../target/profile.ts';
import { parseFlags } from './args.ts';
import { UsageError } from '../base/errors.ts';
import { BASELINE_USAGE, readBaselineFlags, withBaseline } from './baseline-flags.ts';

export const USAGE = `usage: streamproof run [paths…] [--target URL] [--target-profile FILE] [--report-dir DIR]
                       [--update-goldens] [--replay-port N] [--require-reviewed] [--baseline FILE [--baseline-tolerance P]]

  paths              scenario files or directories (default: scenarios)
  --target URL       put an external gateway under test instead of the in-process reference gateway
  --target-profile   YAML saying how the target addresses each provider (default: the reference profile)
  --report-dir DIR   where reports go (default: reports/<run-id>)
  --update-goldens   write each case's as-recorded output as its golden (review the diff!)
  --replay-port N    fixed port for the replay upstream (so a target's config can point at it)
  --require-reviewed fail (exit 1, before any traffic) when a cassette's expect is not reviewed
                     (reviewed: false, as record and import write it); without it, a warning
${BASELINE_USAGE}`;

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
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const replayPort = values['replay-port'] === undefined ? undefined : Number(values['replay-port']);
  if (replayPort !== undefined && (!Number.isInteger(replayPort) || replayPort < 0 || replayPort > 65535)) {
    throw new UsageError(`--replay-port must be a port number, got ${JSON.stringify(values['replay-port'])}`);
  }
  if (values['target-profile'] && !values.target) throw new UsageError('--target-profile goes with --target');
  if (values.target && values['update-goldens'])
    throw new UsageError('--update-goldens writes goldens from the reference gateway only; drop --target');
  if (values.target && !/^https?:\/\//.test(values.target))
    throw new UsageError(`--target must be an http(s) URL, got ${JSON.stringify(values.target)}`);

  const baseline = readBaselineFlags(values.baseline, values['baseline-tolerance']);
  const profile = values['target-profile'] ? loadTargetProfile(values['target-profile']) : REFERENCE_PROFILE;
  const target = values.target ? externalTarget(values.target, profile) : referenceTarget();
  const scenarioFiles = findScenarioFiles(positionals.length ? positionals : ['scenarios']);
  if (scenarioFiles.length === 0) throw new UsageError(`no scenario files under ${positionals.join(', ') || 'scenarios'}`);
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
  const reportDir = values['report-dir'] ?? join('reports', runId);
  const progress = process.stderr.isTTY === true;

  const run = await runScenarios({
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
  });
  if (progress) io.stderr('\r\x1b[2K');
  const { summary, line } = withBaseline(run, baseline);
  if (line) io.stdout(`${line}\n`);
  await writeReports(summary, reportDir);
  io.stdout(`${renderConsoleSummary(summary, relative(process.cwd(), reportDir) || '.', { color: process.stdout.isTTY === true })}\n`);
  if (unreviewed.length > 0)
    io.stdout(`warning: ${unreviewed.length} cassette(s) with an unreviewed expect (listed above); --require-reviewed fails on them\n`);
  return summary.status === 'pass' ? 0 : 1;
}

/** A path relative to the working directory when it is under it, else as it is. */
function shownPath(file: string): string {
  const r = relative(process.cwd(), file);
  return r === '' || r.startsWith('..') ? file : r;
}
