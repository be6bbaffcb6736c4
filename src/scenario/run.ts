// A run: every scenario in order against one target, sharing one replay upstream; the result is
// a RunSummary that the reports are written from.
import { startReplayUpstream, type ReplayUpstream } from '../fixtures/replay-upstream.ts';
import type { CaseResult, RunSummary, ScenarioResult } from '../report/types.ts';
import { SUMMARY_VERSION } from '../report/types.ts';
import { loadScenario, type LoadedScenario } from './load.ts';
import { runParityScenario } from './run-parity.ts';
import { runFaultScenario } from './run-fault.ts';
import { runFuzzScenario } from './run-fuzz-scenario.ts';
import { runLoadScenario } from './run-load.ts';
import { runSoakScenario } from './run-soak.ts';
import { runMicroScenario } from './run-micro.ts';
import { runHttpLoadScenario } from './run-http-load.ts';
import { stderrProgress } from '../load/progress.ts';
import type { TargetUnderTest } from './target.ts';
import { TOOL_VERSION } from '../version.ts';

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
  onCase?: (scenario: string, result: CaseResult) => void;
}

export async function runScenarios(options: RunOptions): Promise<RunSummary> {
  // Load and validate everything first: bad input fails the run before any traffic.
  const loaded: LoadedScenario[] = options.scenarioFiles.map(loadScenario);
  const startedAt = new Date();
  const started = performance.now();
  const replay = await startReplayUpstream({ port: options.replayPort ?? 0 });
  const scenarios: ScenarioResult[] = [];
  try {
    await options.onReplayReady?.(replay);
    for (const { file, scenario, fixtureFiles } of loaded) {
      switch (scenario.kind) {
        case 'parity':
          scenarios.push(
            await runParityScenario(file, scenario, fixtureFiles, {
              replay,
              target: options.target,
              updateGoldens: options.updateGoldens,
              onCase: (r) => options.onCase?.(scenario.name, r),
            }),
          );
          break;
        case 'fuzz':
          scenarios.push(await runFuzzScenario(file, scenario, options.reportDir, (r) => options.onCase?.(scenario.name, r)));
          break;
        case 'load':
          scenarios.push(
            await runLoadScenario(file, scenario, fixtureFiles, { replay, target: options.target, progress: stderrProgress() }),
          );
          break;
        case 'soak':
          scenarios.push(
            await runSoakScenario(file, scenario, fixtureFiles, { replay, target: options.target, progress: stderrProgress() }),
          );
          break;
        case 'micro':
          scenarios.push(await runMicroScenario(file, scenario, (line) => void process.stderr.write(`${line}\n`)));
          break;
        case 'http-load':
          scenarios.push(await runHttpLoadScenario(file, scenario, fixtureFiles, { replay, target: options.target }));
          break;
        case 'fault':
          scenarios.push(
            await runFaultScenario(file, scenario, {
              replay,
              target: options.target,
              updateGoldens: options.updateGoldens,
              onCase: (r) => options.onCase?.(scenario.name, r),
            }),
          );
          break;
      }
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
    status: scenarios.every((s) => s.status === 'pass') ? 'pass' : 'fail',
    totals: { scenarios: scenarios.length, cases: cases.length, passed, failed: cases.length - passed },
    scenarios,
  };
}
