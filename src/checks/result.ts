// The shape of a run's results: what checks produce and every report format consumes.
// summary.json is this object; bump SUMMARY_VERSION on any incompatible change.
import type { ThresholdTarget } from './thresholds.ts';
import type { LoadDetail } from './load-detail.ts';

export const SUMMARY_VERSION = 1;

export interface CheckResult {
  /** e.g. "golden", "chunking:bytewise", "semantic", "request" */
  name: string;
  ok: boolean;
  /** One line saying what went wrong (absent when ok). */
  message?: string;
  /** Longer detail for reports: a diff, both events around a mismatch, … */
  detail?: string;
  /**
   * Reported, never failing (ok stays true): a reference-specific difference of an external
   * target, or an upstream quirk a passthrough target forwarded as it came.
   */
  note?: true;
  /** A byte mismatch: bounded excerpts of both streams around the first differing byte (HTML report). */
  diff?: ByteDiffExcerpt;
}

/** Both sides of a byte comparison around its first difference, each a bounded excerpt. */
export interface ByteDiffExcerpt {
  /** Offset of the first differing byte in both streams. */
  offset: number;
  /** Where the excerpt starts (an event boundary when one is near). */
  from: number;
  /** Bytes from..offset, the same on both sides (UTF-8). */
  common: string;
  /** Each side from the differing byte on (bounded; empty when that side ended there). */
  expected: string;
  actual: string;
  expectedBytes: number;
  actualBytes: number;
}

/** One measured figure (benchmarks), reported with its unit and, when gated, its threshold. */
export interface Measurement {
  /** e.g. "added_ttft_p99", "sse_parse_throughput" */
  name: string;
  value: number;
  unit: string;
  /** The threshold as written in the scenario, e.g. "< 5" (absent when not gated). */
  threshold?: string;
  /** The same threshold as data, so readers compare without parsing text (absent when not gated). */
  target?: ThresholdTarget;
  ok?: boolean;
  /** A scenario run `repeat: N` times: `value` is the mean of these runs, with its 95% interval. */
  repeat?: RepeatStats;
}

/** The runs behind a mean (t-distribution 95% confidence interval of the mean). */
export interface RepeatStats {
  n: number;
  values: number[];
  stddev: number;
  ciLow: number;
  ciHigh: number;
}

export interface CaseResult {
  /** e.g. "openai/text-usage [normalize]" */
  name: string;
  /** The cassette or input file this case came from. */
  file?: string;
  status: 'pass' | 'fail';
  durationMs: number;
  checks: CheckResult[];
  /** JSON-path masks applied to this case's output before comparison (listed, never hidden). */
  masks?: string[];
  /** Figures a benchmark case measured (load, soak, micro, http-load). */
  measurements?: Measurement[];
  /** A load case's latency distributions and time series (for the HTML report's charts). */
  load?: LoadDetail;
  /** The conformance level the case was judged at (parity cases). */
  level?: 'protocol' | 'semantic' | 'exact';
  /** The cassette's provider and what it exercises (parity cases; the scorecard reads them). */
  provider?: string;
  capabilities?: string[];
  /** The target never called the replay upstream for this case. */
  notRouted?: true;
}

export interface ScenarioResult {
  name: string;
  file: string;
  kind: string;
  /** `skip`: the scenario cannot test this target (see `skipped`); it neither passes nor fails. */
  status: 'pass' | 'fail' | 'skip';
  /** Why the scenario was skipped. */
  skipped?: string;
  durationMs: number;
  cases: CaseResult[];
}

export interface RunSummary {
  version: typeof SUMMARY_VERSION;
  tool: { name: 'streamproof'; version: string };
  runId: string;
  startedAt: string;
  durationMs: number;
  /** "reference gateway (in-process)" or the --target URL. */
  target: string;
  status: 'pass' | 'fail';
  /** Set when the run was interrupted: why, and what the results cover. */
  incomplete?: string;
  /** `skipped` counts scenarios that could not test the target. */
  totals: { scenarios: number; cases: number; passed: number; failed: number; skipped: number };
  scenarios: ScenarioResult[];
  /** The conformance level of the run's parity cases. */
  level?: 'protocol' | 'semantic' | 'exact';
  /** Provider × capability for an external target (see checks/scorecard.ts). */
  scorecard?: Scorecard;
  /** Where and how the run was made (so a report stands alone). */
  environment?: RunEnvironment;
}

/** The machine and command of a run. */
export interface RunEnvironment {
  command: string;
  cores: number;
  node: string;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  /** 1-, 5- and 15-minute load averages when the reports were written. */
  load: [number, number, number];
}

export type ScorecardCell = 'pass' | 'fail' | 'not routed';

export interface Scorecard {
  /** Capabilities in column order. */
  capabilities: string[];
  /** provider → capability → cell (a capability no case of the provider exercises is absent). */
  rows: Record<string, Record<string, ScorecardCell>>;
  totals: { cells: number; pass: number; fail: number; notRouted: number };
  /** e.g. "scorecard: 41/48 pass, 3 fail, 4 not routed" */
  line: string;
}

/** How much of a check's text reaches the reports: a target's output can be megabytes. */
export const MESSAGE_MAX_CHARS = 2_000;
export const DETAIL_MAX_CHARS = 32_000;

function clamp(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A check whose message and detail fit in a report (whatever the target sent). */
export function boundedCheck(check: CheckResult): CheckResult {
  const out: CheckResult = { ...check };
  if (check.message !== undefined) out.message = clamp(check.message, MESSAGE_MAX_CHARS);
  if (check.detail !== undefined) out.detail = clamp(check.detail, DETAIL_MAX_CHARS);
  return out;
}

/** A scenario's result from its cases: it passes when every case did. */
export function scenarioResult(name: string, file: string, kind: string, startedMs: number, cases: CaseResult[]): ScenarioResult {
  return {
    name,
    file,
    kind,
    status: cases.every((c) => c.status === 'pass') ? 'pass' : 'fail',
    durationMs: performance.now() - startedMs,
    cases: cases.map((c) => ({ ...c, checks: c.checks.map(boundedCheck) })),
  };
}

/** A scenario that cannot test this target: reported as skipped, with why, never as a pass. */
export function skippedScenario(name: string, file: string, kind: string, reason: string): ScenarioResult {
  return { name, file, kind, status: 'skip', skipped: reason, durationMs: 0, cases: [] };
}
