// `streamproof merge DIR...`: merges the shards of one sharded run (src/load/merge.ts), then
// evaluates the scenario's thresholds once, on the merged data, and writes the usual reports.
import { join, relative } from 'node:path';
import { UsageError } from '../base/errors.ts';
import { findShardDirs, mergeShards, readShard } from '../load/merge.ts';
import { concatRequestLogs, REQUESTS_FILE } from '../load/request-log.ts';
import { prepareReportDir, renderConsoleSummary, renderFigures, writeReports } from '../report/index.ts';
import { mergedSummary } from '../scenario/shard-merge.ts';
import { parseFlags } from './args.ts';
import type { CliIo } from './io.ts';

export const USAGE = `usage: streamproof merge DIR... [--report-dir DIR]

  DIR                a shard directory (shard-<i>-of-<N>/) or a directory holding them
  --report-dir DIR   where summary.json, summary.md and junit.xml go (default: the one DIR given,
                     else the first)

Adds the shards' histograms (never averages percentiles) and sums their counts, then evaluates
the scenario's thresholds on the merged figures. Refuses (exit 2) shards of different runs,
scenarios or histogram settings. A missing shard fails the run (exit 1), as do missing intervals
and a shard whose driver saturated or that started late.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    'report-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('name the shard directories (or the directory holding them)');
  return mergeDirs(positionals, values['report-dir'] ?? positionals[0]!, io);
}

/** Merges the shards under `dirs` and writes the reports to reportDir; returns the exit code. */
export async function mergeDirs(dirs: readonly string[], reportDir: string, io: CliIo): Promise<number> {
  const started = performance.now();
  const shards = findShardDirs(dirs).map(readShard);
  const merged = mergeShards(shards);
  prepareReportDir(reportDir);
  const summary = mergedSummary(merged, started);
  await writeReports(summary, reportDir);
  // Shards run with --requests: their requests.jsonl, one after another in shard order.
  const logged = [...merged.shards]
    .sort((a, b) => a.manifest.shard.index - b.manifest.shard.index)
    .flatMap((s) => (s.manifest.requests ? [join(s.dir, s.manifest.requests)] : []));
  const concatenated = logged.length ? await concatRequestLogs(logged, join(reportDir, REQUESTS_FILE)) : [];
  if (concatenated.length)
    io.stdout(`${REQUESTS_FILE}: ${concatenated.length} of ${merged.shards.length} shards' requests, in shard order\n`);
  const shown = relative(process.cwd(), reportDir) || '.';
  io.stdout(`${renderFigures(summary)}\n`);
  for (const i of merged.missingShards) io.stderr(`missing: shard-${i}-of-${merged.count} (no output or no manifest)\n`);
  for (const line of merged.missingIntervals) io.stderr(`missing intervals: ${line}\n`);
  io.stdout(`${renderConsoleSummary(summary, shown, { color: process.stdout.isTTY === true })}\n`);
  return summary.status === 'pass' && merged.missingShards.length === 0 ? 0 : 1;
}
