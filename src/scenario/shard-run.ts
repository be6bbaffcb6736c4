// One shard of a sharded load run: loads the `kind: load` scenario, puts up its servers, waits
// for the shared start time, drives its slice of the global schedule (src/load/shard.ts) and
// writes its raw results (src/load/shard-output.ts). No threshold is evaluated here: thresholds
// hold for the merged run, never per shard.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../base/errors.ts';
import { loadCassette } from '../cassette/cassette.ts';
import { openGatewayLoad } from '../load/gateway-load.ts';
import { runPhase } from '../load/phase.ts';
import { stderrProgress, type Progress } from '../load/progress.ts';
import { describeModel, isOpenLoop } from '../load/schedule.ts';
import { composeOnStream, openRequestLog, requestRecorder, REQUESTS_FILE } from '../load/request-log.ts';
import { createIntervalRecorder, writeShardDir, type ShardHealth, type ShardScenario } from '../load/shard-output.ts';
import { planShard, shardDirName, type ShardSpec } from '../load/shard.ts';
import { loadInputs } from '../load/stream-sources.ts';
import { startReplayUpstream } from '../replay/upstream.ts';
import type { TargetUnderTest } from '../target/target.ts';
import { modelOf } from './kinds/load/run.ts';
import { comparePhases, type LoadScenario } from './kinds/load/schema.ts';
import { phaseBounds, phaseSettings } from './kinds/load/phase-settings.ts';
import { loadScenario } from './load.ts';

export interface ShardRunOptions {
  file: string;
  target: TargetUnderTest;
  runId: string;
  shard: ShardSpec;
  /** The shared start time, ms since the epoch; or asked for once the servers are up (--workers). */
  startAtMs: number | (() => Promise<number>);
  /** The run's directory: this shard writes shard-<i>-of-<N>/ under it. */
  reportDir: string;
  replayPort?: number;
  /** --requests: write requests.jsonl in the shard's directory. */
  requests?: boolean;
  progress?: Progress;
  log(line: string): void;
}

export interface ShardRunResult {
  dir: string;
  health: ShardHealth;
  streams: number;
  errors: number;
}

/** Loads the scenario and checks that it can be split into `count` shards (exit 2 before any traffic otherwise). */
/** A load scenario with one fixed load model (a sweep is a sequence of them). */
type ShardableScenario = LoadScenario & { load: Exclude<LoadScenario['load'], { model: 'sweep' }> };

export function loadShardableScenario(file: string, count: number): { scenario: ShardableScenario; fixtureFiles: string[]; hash: string } {
  const loaded = loadScenario(file);
  const scenario = loaded.scenario;
  if (scenario.kind !== 'load')
    throw new InputError(file, null, `--shard and --workers run \`kind: load\` scenarios; this one is kind ${scenario.kind}`);
  if (comparePhases(scenario.compare).length > 1 || scenario.calibrate)
    throw new InputError(
      file,
      null,
      'compare and calibrate cannot be sharded: added_* subtracts phases measured on one machine. Shard it with compare: none, or run it in one process',
    );
  if (scenario.load.model === 'sweep') throw new InputError(file, null, 'a sweep cannot be sharded: run it in one process');
  const shardable = { ...scenario, load: scenario.load };
  try {
    planShard(modelOf(shardable.load), phaseBounds(scenario), { index: 0, count });
  } catch (err) {
    throw new InputError(file, null, (err as Error).message);
  }
  const hash = createHash('sha256').update(JSON.stringify(scenario));
  for (const f of loaded.fixtureFiles) hash.update(readFileSync(f));
  return { scenario: shardable, fixtureFiles: loaded.fixtureFiles, hash: hash.digest('hex') };
}

export async function runShard(o: ShardRunOptions): Promise<ShardRunResult> {
  const { scenario, fixtureFiles, hash } = loadShardableScenario(o.file, o.shard.count);
  const model = modelOf(scenario.load);
  const plan = planShard(model, phaseBounds(scenario), o.shard);
  await o.target.reachable();
  const replay = await startReplayUpstream({ port: o.replayPort ?? 0 });
  try {
    const inputs = loadInputs(o.file, fixtureFiles.map(loadCassette), scenario.synthetic);
    const { mode, fidelity, servers, sources } = await openGatewayLoad(o.file, inputs, scenario, { target: o.target, replay });
    try {
      const startAtMs = typeof o.startAtMs === 'number' ? o.startAtMs : await o.startAtMs();
      const wait = startAtMs - Date.now();
      o.log(`${shardDirName(o.shard)}: ${describeModel(plan.model)}; starting ${wait > 0 ? `in ${(wait / 1000).toFixed(1)} s` : 'now'}`);
      if (wait > 0) await sleep(wait);
      const startedAtMs = Date.now();
      const startNs = process.hrtime.bigint();
      const recorder = createIntervalRecorder(startNs);
      let requests: ReturnType<typeof openRequestLog> | undefined;
      if (o.requests) {
        const shardDir = join(o.reportDir, shardDirName(o.shard));
        mkdirSync(shardDir, { recursive: true });
        requests = openRequestLog(join(shardDir, REQUESTS_FILE));
      }
      // The case name is the merged run's (see shard-merge.ts), so shard lines match the merged summary.
      const place = {
        scenario: scenario.name,
        case: `${scenario.name} [${mode}] (${o.shard.count} shards)`,
        phase: 'gateway',
        shard: o.shard.index,
      };
      const phase = await runPhase({
        label: `${scenario.name} ${shardDirName(o.shard)}`,
        origin: servers.gatewayUrl,
        sources,
        model: plan.model,
        bounds: plan.bounds,
        arrivals: plan.arrivals,
        onStream: composeOnStream(recorder.onStream, requestRecorder(requests, place)),
        ...phaseSettings(scenario),
        progress: o.progress ?? stderrProgress(),
      }).finally(() => requests?.close());
      const shardScenario: ShardScenario = {
        name: scenario.name,
        file: o.file,
        kind: scenario.kind,
        hash,
        thresholds: scenario.thresholds,
        model: describeModel(model),
        openLoop: isOpenLoop(model),
        fidelity,
        mode,
        scope: servers.scope,
      };
      const { dir, health } = writeShardDir({
        reportDir: o.reportDir,
        runId: o.runId,
        shard: o.shard,
        scenario: shardScenario,
        target: o.target.label,
        startAtMs,
        startedAtMs,
        startNs,
        phase,
        intervals: recorder.intervals,
        requests: requests !== undefined,
      });
      const errors = Object.values(phase.stats.errors).reduce((a, b) => a + b, 0);
      return { dir, health, streams: phase.stats.streams, errors };
    } finally {
      await servers.close();
    }
  } finally {
    await replay.close();
  }
}
