// A scenario kind: what `kind: <name>` in a scenario file means. Each kind is one folder under
// kinds/, exporting one ScenarioKind: its schema (the file's shape, validated before any traffic)
// and its run (everything it does, through the context below and nothing else).
import type { z } from 'zod';
import type { Clock } from '../base/clock.ts';
import type { CaseResult, ScenarioResult } from '../checks/result.ts';
import type { Progress } from '../load/progress.ts';
import type { RequestLog } from '../load/request-log.ts';
import type { ReplayUpstream } from '../replay/upstream.ts';
import type { TargetUnderTest } from '../target/target.ts';

/** What a run hands every scenario: where it came from, what to test, and where output goes. */
export interface ScenarioContext {
  /** The scenario file: relative paths resolve against it and errors name it. */
  file: string;
  /** Cassettes its `fixtures:` globs matched, sorted (empty for kinds without fixtures). */
  fixtureFiles: readonly string[];
  target: TargetUnderTest;
  /** The run's replay upstream, shared by every scenario of the run. */
  replay: ReplayUpstream;
  /** Write goldens from what the target sends instead of comparing with them. */
  updateGoldens: boolean;
  /** The run's report directory (counterexamples and other artifacts go under it). */
  reportDir: string;
  /** Each case as soon as it is decided (the console prints it). */
  onCase(result: CaseResult): void;
  /** Progress of long phases (load, soak, resilience). */
  progress: Progress;
  /** Lines for the person watching (results of micro-benchmarks as they come, warnings). */
  log(line: string): void;
  clock: Clock;
  /** Aborted when the run is interrupted: a kind stops at its next case boundary. */
  signal: AbortSignal;
  /** --requests: load kinds write a line per measured request here (requests.jsonl). */
  requests?: RequestLog;
}

/** The `kind:` field every scenario schema has. */
export interface KindedScenario {
  kind: string;
  name: string;
}

export interface ScenarioKind<S extends KindedScenario = KindedScenario> {
  kind: S['kind'];
  /** A strict zod object with `kind: z.literal(<kind>)`. */
  schema: z.ZodType<S>;
  run(scenario: S, context: ScenarioContext): Promise<ScenarioResult>;
}

/** Declares a kind with its types checked against its schema. */
export function defineScenarioKind<S extends KindedScenario>(kind: ScenarioKind<S>): ScenarioKind<S> {
  return kind;
}
