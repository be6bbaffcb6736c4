// The merged shards as one run's summary: the usual measurements of the merged histograms and
// counts, the scenario's thresholds evaluated once on them, and checks that fail the run when a
// shard is missing, an interval is missing, or any shard's driver saturated or started late.
import type { CheckResult, RunSummary } from '../checks/result.ts';
import { SUMMARY_VERSION, scenarioResult } from '../checks/result.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { benchCase, externalGatewayNotSampled } from '../load/bench-case.ts';
import type { MergedRun } from '../load/merge.ts';
import { MeasurementList } from '../load/measurements.ts';
import { addPhaseMeasurements } from '../load/phase-measurements.ts';
import { lateStart } from '../load/shard-output.ts';
import { shardDirName } from '../load/shard.ts';
import { attachFailureDetail, driverCheck } from './kinds/load/run.ts';

export function mergedSummary(merged: MergedRun, started = performance.now()): RunSummary {
  const first = merged.shards[0]!.manifest;
  const sc = first.scenario;
  const { phase } = merged;
  const m = new MeasurementList();
  addPhaseMeasurements(m, '', phase, sc.openLoop, sc.fidelity);
  const present = merged.count - merged.missingShards.length;
  const perShard = merged.shards
    .map((s) => {
      const c = s.counts.intervals.reduce((n, i) => n + i.streams, 0);
      const e = s.counts.intervals.reduce((n, i) => n + Object.values(i.errors).reduce((a, b) => a + b, 0), 0);
      const h = s.health;
      return `${shardDirName(s.manifest.shard)}: ${c} streams, ${e} errors, started ${h.startLatenessMs.toFixed(0)} ms after the start time, event-loop delay p99 ${h.eventLoopDelayP99Ms.toFixed(1)} ms, utilisation ${(h.eventLoopUtilization * 100).toFixed(0)}%, CPU ${(h.cpu * 100).toFixed(0)}%${h.valid ? '' : ` (SATURATED: ${h.reasons.join('; ')})`}`;
    })
    .join('\n');
  const checks: CheckResult[] = [
    { name: 'scope', ok: true, message: `${sc.model}, split into ${merged.count} shards; ${sc.scope}` },
    merged.missingShards.length === 0
      ? {
          name: 'shards',
          ok: true,
          message: `${present} of ${merged.count} shards merged (histograms added, counts summed); start times within ${merged.startSpreadMs.toFixed(0)} ms`,
          detail: perShard,
        }
      : {
          name: 'shards',
          ok: false,
          message: `${present} of ${merged.count} shards: missing ${merged.missingShards.map((i) => shardDirName({ index: i, count: merged.count })).join(', ')} (no output, or no manifest: it did not finish). The figures below cover only the shards present and understate the load`,
          detail: perShard,
        },
    merged.missingIntervals.length === 0
      ? { name: 'intervals', ok: true, message: 'every shard has every interval its manifest names' }
      : { name: 'intervals', ok: false, message: `intervals missing: ${merged.missingIntervals.join('; ')}` },
    startCheck(merged),
    // Each shard's own driver, named (its health in place of the merged one).
    driverCheck(merged.shards.map((s) => [shardDirName(s.manifest.shard), { ...phase, health: s.health }] as const)),
  ];
  const result = benchCase({
    name: `${sc.name} [${sc.mode}] (${merged.count} shards)`,
    startedMs: started,
    measurements: m,
    thresholds: sc.thresholds,
    checks,
    notApplicable: (name) =>
      externalGatewayNotSampled(true)(name) && 'sharded: each shard drives the target; no gateway process is sampled',
  });
  attachFailureDetail(result.checks, phase, null);
  const scenario = scenarioResult(sc.name, sc.file, sc.kind, started, [result]);
  const passed = scenario.cases.filter((c) => c.status === 'pass').length;
  const summary: RunSummary = {
    version: SUMMARY_VERSION,
    tool: { name: 'streamproof', version: TOOL_VERSION },
    runId: first.runId,
    startedAt: first.startAt,
    durationMs: phase.endedAtMs,
    target: first.target,
    status: scenario.status === 'pass' ? 'pass' : 'fail',
    totals: { scenarios: 1, cases: scenario.cases.length, passed, failed: scenario.cases.length - passed, skipped: 0 },
    scenarios: [scenario],
  };
  if (merged.missingShards.length > 0)
    summary.incomplete = `${merged.missingShards.length} of ${merged.count} shards missing: the merged figures cover the shards present only`;
  return summary;
}

/** Every shard must have started at the shared start time: a late one did not load the target alongside the others. */
function startCheck(merged: MergedRun): CheckResult {
  const late = merged.shards.flatMap((s) => {
    const why = lateStart(s.health.startLatenessMs);
    return why ? [`${shardDirName(s.manifest.shard)} ${why}`] : [];
  });
  return late.length === 0
    ? {
        name: 'start',
        ok: true,
        message: `every shard started within ${merged.startSpreadMs.toFixed(0)} ms of the others, at the shared start time`,
      }
    : { name: 'start', ok: false, message: late.join('; ') };
}
