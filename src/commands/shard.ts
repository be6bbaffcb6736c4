// `run|bench SCENARIO --shard i/N --run-id ID --start-at TIME`: one shard of a run, its raw results
// written for `streamproof merge`; and `--workers N`: N such shards as child processes of this
// one, same run id, a start time a little ahead, then merged here.
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../base/errors.ts';
import { lateStart } from '../load/shard-output.ts';
import { parseShardSpec, shardDirName } from '../load/shard.ts';
import { makeRunId } from '../report/index.ts';
import { loadShardableScenario, runShard } from '../scenario/shard-run.ts';
import { loadTargetProfile, REFERENCE_PROFILE } from '../target/profile.ts';
import { externalTarget, referenceTarget } from '../target/target.ts';
import type { CliIo } from './io.ts';
import { mergeDirs } from './merge.ts';

export const SHARD_FLAGS = {
  shard: { type: 'string' },
  'run-id': { type: 'string' },
  'start-at': { type: 'string' },
  workers: { type: 'string' },
} as const;

export const SHARD_USAGE = `  --shard i/N        run shard i (0-based) of N of one load scenario: its slice of the seeded
                     schedule; writes raw results to <report-dir>/shard-i-of-N/ for \`streamproof merge\`
  --run-id ID        the run id every shard of the run shares (with --shard)
  --start-at TIME    when every shard starts: ISO 8601, epoch ms or now, optionally +Ns (with --shard)
  --workers N        N shards as local processes, then merged (use the machine's cores)`;

type Flags = Record<string, string | boolean | string[] | undefined>;

export function isSharded(values: Flags): boolean {
  return values.shard !== undefined || values.workers !== undefined || values['run-id'] !== undefined || values['start-at'] !== undefined;
}

/** --workers: the start time is this far ahead of the moment the last worker is ready. */
const WORKER_LEAD_MS = 500;
/** --workers: a worker not ready by then (loading, putting up its servers) is not waited for. */
const WORKER_READY_TIMEOUT_MS = 120_000;

/** ISO 8601, epoch ms or `now`, optionally followed by +<seconds>s (e.g. a Job's creation time + 60s). */
export function parseStartAt(text: string, nowMs = Date.now()): number {
  const m = /^(.*?)(?:\+(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  const base = m?.[1] ?? '';
  const plus = m?.[2] ? Number(m[2]) * 1000 : 0;
  const at = base === 'now' ? nowMs : /^\d+$/.test(base) ? Number(base) : Date.parse(base);
  if (!Number.isFinite(at))
    throw new UsageError(`--start-at ${JSON.stringify(text)}: expected ISO 8601 (2030-01-01T12:00:00Z), epoch ms or now, optionally +Ns`);
  return at + plus;
}

const UNSHARDABLE = ['baseline', 'baseline-tolerance', 'update-goldens', 'require-reviewed', 'benchmarks-md', 'benchmarks-notes', 'config'];

export async function runSharded(command: 'run' | 'bench', values: Flags, positionals: string[], io: CliIo): Promise<number> {
  for (const f of UNSHARDABLE) {
    const v = values[f];
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0))
      throw new UsageError(`--${f} does not go with --shard or --workers (merge evaluates the thresholds; apply the rest to its summary)`);
  }
  if ((values.suite as string[] | undefined)?.length) throw new UsageError('--shard and --workers take one scenario file, not --suite');
  if (positionals.length !== 1) throw new UsageError('--shard and --workers take exactly one scenario file (kind: load)');
  const file = positionals[0]!;
  const targetUrl = values.target as string | undefined;
  const profileFile = values['target-profile'] as string | undefined;
  if (profileFile && !targetUrl) throw new UsageError('--target-profile goes with --target');
  if (values.workers !== undefined) return runWorkers(command, file, values, io);

  if (values.shard === undefined) throw new UsageError('--run-id and --start-at go with --shard (or use --workers)');
  const shard = parseShardSpec(values.shard as string);
  if (typeof shard === 'string') throw new UsageError(shard);
  const runId = values['run-id'] as string | undefined;
  const startAt = values['start-at'] as string | undefined;
  if (!runId || !startAt) throw new UsageError('--shard needs --run-id and --start-at: every shard of the run must share them');
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new UsageError(`--run-id ${JSON.stringify(runId)}: letters, digits, ".", "_" and "-" only`);
  const replayPort = values['replay-port'] === undefined ? undefined : Number(values['replay-port']);
  if (replayPort !== undefined && (!Number.isInteger(replayPort) || replayPort < 0 || replayPort > 65535))
    throw new UsageError(`--replay-port must be a port number, got ${JSON.stringify(values['replay-port'])}`);
  const profile = profileFile ? loadTargetProfile(profileFile) : REFERENCE_PROFILE;
  const target = targetUrl ? externalTarget(targetUrl, profile) : referenceTarget();
  const reportDir = (values['report-dir'] as string | undefined) ?? join('reports', runId);
  const result = await runShard({
    file,
    target,
    runId,
    shard,
    // `parent`: a --workers child: it says when it is ready, the parent answers with the start time.
    // `now`: as soon as this shard's servers are up (a lone shard has no one to wait for).
    startAtMs: startAt === 'parent' ? startTimeFromParent : startAt === 'now' ? async () => Date.now() : parseStartAt(startAt),
    reportDir,
    replayPort,
    requests: values.requests === true,
    log: (line) => io.stderr(`${line}\n`),
  });
  const h = result.health;
  io.stdout(
    `${shardDirName(shard)}: ${result.streams} streams, ${result.errors} errors; started ${h.startLatenessMs.toFixed(0)} ms after the start time; ` +
      `driver ${h.valid ? 'kept up' : `SATURATED (${h.reasons.join('; ')})`}${lateStart(h.startLatenessMs) ? `; ${lateStart(h.startLatenessMs)}` : ''}\n` +
      `written to ${relative(process.cwd(), result.dir) || result.dir}; no thresholds evaluated: \`streamproof merge ${relative(process.cwd(), reportDir) || reportDir}\` once every shard is done\n`,
  );
  return 0;
}

const BIN = fileURLToPath(new URL('../../bin/streamproof.js', import.meta.url));

async function runWorkers(command: 'run' | 'bench', file: string, values: Flags, io: CliIo): Promise<number> {
  const n = Number(values.workers);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--workers must be 1–256, got ${JSON.stringify(values.workers)}`);
  if (values.shard !== undefined || values['start-at'] !== undefined)
    throw new UsageError('--workers picks the shards and the start time itself: drop --shard and --start-at');
  if (values['replay-port'] !== undefined)
    throw new UsageError('--replay-port does not go with --workers (each worker has its own replay upstream)');
  loadShardableScenario(file, n); // bad input fails here, once, not in N workers
  if (n > cpus().length) io.stderr(`warning: --workers ${n} on ${cpus().length} cores: the workers will compete for CPU\n`);
  const runId = (values['run-id'] as string | undefined) ?? makeRunId(new Date());
  const reportDir = (values['report-dir'] as string | undefined) ?? join('reports', runId);
  io.stderr(`${n} workers, run ${runId}: the start time is set once every worker is ready\n`);
  const pass = (flag: string) => (values[flag] === undefined ? [] : [`--${flag}`, values[flag] as string]);
  const children = Array.from({ length: n }, (_, i) => {
    const args = [command, file, '--shard', `${i}/${n}`, '--run-id', runId, '--start-at', 'parent', '--report-dir', reportDir];
    const requests = values.requests === true ? ['--requests'] : [];
    return runChild([...args, ...pass('target'), ...pass('target-profile'), ...requests], `[${i}/${n}] `, io);
  });
  // Every worker says when its servers are up; the start time goes to all at once, a little ahead.
  const ready = Promise.all(children.map((c) => c.ready));
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, WORKER_READY_TIMEOUT_MS).unref());
  await Promise.race([ready, timeout]);
  const startAtMs = Date.now() + WORKER_LEAD_MS;
  io.stderr(`starting at ${new Date(startAtMs).toISOString()}\n`);
  for (const c of children) c.start(startAtMs);
  const codes = await Promise.all(children.map((c) => c.exited));
  codes.forEach((code, i) => {
    if (code !== 0) io.stderr(`worker ${i}/${n} exited with ${code}: merge will report its shard missing\n`);
  });
  return mergeDirs([reportDir], reportDir, io);
}

interface Worker {
  /** Resolves when the worker is ready to start (or has exited). */
  ready: Promise<void>;
  start(atMs: number): void;
  exited: Promise<number>;
}

/** A --workers child's start time: it reports ready over IPC and waits for the parent's answer. */
function startTimeFromParent(): Promise<number> {
  if (!process.send) throw new UsageError('--start-at parent is for the workers that --workers starts');
  return new Promise((resolve) => {
    process.once('message', (m: { startAtMs?: number }) => {
      process.disconnect?.();
      resolve(typeof m.startAtMs === 'number' ? m.startAtMs : Date.now());
    });
    process.send?.({ ready: true });
  });
}

/** Runs the CLI in a child process, its output prefixed line by line. */
function runChild(args: string[], prefix: string, io: CliIo): Worker {
  const child = fork(BIN, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
  const forward = (stream: NodeJS.ReadableStream | null, sink: (t: string) => void) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) sink(`${prefix}${l}\n`);
    });
    stream?.on('end', () => rest && sink(`${prefix}${rest}\n`));
  };
  forward(child.stdout, io.stdout);
  forward(child.stderr, io.stderr);
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  // A worker ready after the start time was sent gets it then (it starts late, and says so).
  let startAt: number | null = null;
  let isReady = false;
  const send = () => {
    if (isReady && startAt !== null && child.connected) child.send({ startAtMs: startAt });
  };
  const ready = new Promise<void>((resolve) => {
    child.on('message', (m: { ready?: boolean }) => {
      if (!m.ready) return;
      isReady = true;
      send();
      resolve();
    });
    void exited.then(() => resolve());
  });
  return {
    ready,
    exited,
    start(atMs) {
      startAt = atMs;
      send();
    },
  };
}
