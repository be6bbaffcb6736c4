// A run: every scenario in order against one target, sharing one replay upstream; the result is
// a RunSummary that the reports are written from.
import { startReplayUpstream, type ReplayUpstream } from '../replay/upstream.ts';
import type { CaseResult, RunSummary, ScenarioResult } from '../checks/result.ts';
import { SUMMARY_VERSION } from '../checks/result.ts';
import { loadScenario, type LoadedScenario } from './load.ts';
import { stderrProgress, type Progress } from '../load/progress.ts';
import type { RequestLog } from '../load/request-log.ts';
import { realClock } from '../base/clock.ts';
import type { ScenarioContext, ScenarioKind } from './kind.ts';
import { scenarioKinds } from './kinds/index.ts';
import type { Scenario } from './schema.ts';
import type { TargetUnderTest } from '../target/target.ts';
import { TOOL_VERSION } from '../base/version.ts';

export interface RunOptions {
  scenarioFiles: readonly string[];
  target: TargetUnderTest;
  runId: string;
  updateGoldens: boolean;
  /** The run's report directory (fuzz counterexamples are written under it). */
  reportDir: string;
  /** A fixed port for the replay upstream (so an external gateway's config can point at it). */
  replayPort?: number;
  /** Called once the replay upstream is up, before any scenario runs. */
  onReplayReady?: (replay: ReplayUpstream) => void | Promise<void>;
  /** Each case as it is decided, with its scenario's place in the run (1-based) and the run's scenario count. */
  onCase?: (scenario: string, result: CaseResult, position: { scenarioNumber: number; scenarios: number }) => void;
  /** Progress of long phases (default: a line on stderr every few seconds). */
  progress?: Progress;
  /** Informational lines (default: stderr). */
  log?: (line: string) => void;
  /** Stops the run early (Ctrl-C): the scenario in progress ends at its next case, the rest do not start. */
  signal?: AbortSignal;
  /** --requests: where load kinds write requests.jsonl lines (the caller opens and closes it). */
  requests?: RequestLog;
}

const NEVER = new AbortController().signal;

const kindsByName = new Map<string, ScenarioKind>(scenarioKinds.map((k) => [k.kind, k as unknown as ScenarioKind]));

/** The registered kind of a validated scenario (the schema admits no other `kind`). */
function kindOf(scenario: Scenario): ScenarioKind {
  const kind = kindsByName.get(scenario.kind);
  if (!kind) throw new Error(`scenario kind ${JSON.stringify(scenario.kind)} is in the schema but not registered`);
  return kind;
}

export async function runScenarios(options: RunOptions): Promise<RunSummary> {
  // Load and validate everything first: bad input fails the run before any traffic.
  const loaded: LoadedScenario[] = options.scenarioFiles.map(loadScenario);
  await options.target.reachable();
  const startedAt = new Date();
  const started = performance.now();
  const replay = await startReplayUpstream({ port: options.replayPort ?? 0 });
  const scenarios: ScenarioResult[] = [];
  const progress = options.progress ?? stderrProgress();
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  try {
    await options.onReplayReady?.(replay);
    for (const [index, { file, scenario, fixtureFiles }] of loaded.entries()) {
      const position = { scenarioNumber: index + 1, scenarios: loaded.length };
      const context: ScenarioContext = {
        file,
        fixtureFiles,
        target: options.target,
        replay,
        updateGoldens: options.updateGoldens,
        reportDir: options.reportDir,
        onCase: (r) => options.onCase?.(scenario.name, r, position),
        progress,
        log,
        clock: realClock,
        signal: options.signal ?? NEVER,
        ...(options.requests ? { requests: options.requests } : {}),
      };
      if (options.signal?.aborted) break;
      scenarios.push(await kindOf(scenario).run(scenario as never, context));
    }
  } finally {
    await replay.close();
  }
  const cases = scenarios.flatMap((s) => s.cases);
  const passed = cases.filter((c) => c.status === 'pass').length;
  return {
    version: SUMMARY_VERSION,
    tool: { name: 'streamproof', version: TOOL_VERSION },
    runId: options.runId,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - started,
    target: options.target.label,
    // An interrupted run is never a pass: what it did not run, it did not check.
    status: scenarios.some((s) => s.status === 'fail') || options.signal?.aborted ? 'fail' : 'pass',
    ...(options.signal?.aborted
      ? { incomplete: `interrupted after ${scenarios.length} of ${loaded.length} scenario(s); the cases below are those that finished` }
      : {}),
    totals: {
      scenarios: scenarios.length,
      cases: cases.length,
      passed,
      failed: cases.length - passed,
      skipped: scenarios.filter((s) => s.status === 'skip').length,
    },
    scenarios,
  };
}
