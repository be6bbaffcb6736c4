// streamproof.yaml: a project's settings for `run` (and `bench`), so CI runs `npx streamproof run`
// with nothing else. Read from the working directory when present (or --config FILE); every flag
// wins over its key. Paths in the file are relative to the file. `streamproof init` writes one.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError, UsageError } from '../base/errors.ts';
import { loadYamlFile } from '../base/yaml-input.ts';
import { parseTolerance } from '../checks/baseline.ts';
import { thresholdsSchema } from '../load/schema.ts';
import type { CaseResult, RunSummary } from '../checks/result.ts';
import { checkThresholds } from '../load/measurements.ts';
import { findScenarioFiles } from '../scenario/load.ts';
import { SUITE_NAMES, suiteFiles } from '../scenario/suites.ts';

export const CONFIG_FILE = 'streamproof.yaml';

export const projectConfigSchema = z
  .object({
    target: z
      .string()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .optional()
      .describe('Base URL of the gateway under test (--target); without it, the in-process reference gateway.'),
    targetProfile: z.string().optional().describe('Target profile file: how the target addresses each provider (--target-profile).'),
    replayPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe('Fixed port of the replay upstream the target is configured with (--replay-port).'),
    suites: z
      .array(z.enum(SUITE_NAMES))
      .optional()
      .describe('Built-in suites to run (--suite): conformance, faults, fuzz, bench (`streamproof suites` lists them).'),
    scenarios: z.array(z.string()).optional().describe('Scenario files or folders of your own, run with the suites (run paths).'),
    thresholds: thresholdsSchema().describe(
      'Measurement → "<op> <number>": replaces a scenario threshold of that name in every case that measures it.',
    ),
    baseline: z.string().optional().describe('An earlier summary.json to compare measurements with (--baseline).'),
    baselineTolerance: z.string().optional().describe('How far a measurement may move the wrong way, e.g. "20%" (--baseline-tolerance).'),
    reportDir: z.string().optional().describe('Where reports go (--report-dir; default reports/<run-id>).'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.baselineTolerance !== undefined) {
      if (c.baseline === undefined) ctx.addIssue({ code: 'custom', path: ['baselineTolerance'], message: 'goes with baseline' });
      try {
        parseTolerance(c.baselineTolerance);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['baselineTolerance'], message: 'must be a percentage like 20% or a fraction like 0.2' });
      }
    }
    if (c.targetProfile !== undefined && c.target === undefined)
      ctx.addIssue({ code: 'custom', path: ['targetProfile'], message: 'goes with target' });
  });

export type ProjectConfig = z.infer<typeof projectConfigSchema>;

export interface LoadedProjectConfig {
  /** The file as given (for messages). */
  file: string;
  /** The settings, with every path resolved against the file's folder. */
  config: ProjectConfig;
}

/**
 * The project config: the named file (which must exist), else ./streamproof.yaml when present,
 * else null. Files it names must exist (a baseline, a profile, scenario paths).
 */
export function loadProjectConfig(file: string | undefined): LoadedProjectConfig | null {
  if (file === undefined) {
    if (!existsSync(CONFIG_FILE)) return null;
    file = CONFIG_FILE;
  } else if (!existsSync(file)) throw new InputError(file, null, 'no such file');
  const loaded = loadYamlFile(file, projectConfigSchema);
  const base = dirname(resolve(file));
  const config: ProjectConfig = { ...loaded.value };
  const checkPath = (key: 'targetProfile' | 'baseline' | 'scenarios', path: string, index?: number): string => {
    const absolute = resolve(base, path);
    if (!existsSync(absolute))
      throw new InputError(file, loaded.lineOf(index === undefined ? [key] : [key, index]), `${key}: no such file or directory: ${path}`);
    return absolute;
  };
  if (config.targetProfile !== undefined) config.targetProfile = checkPath('targetProfile', config.targetProfile);
  if (config.baseline !== undefined) config.baseline = checkPath('baseline', config.baseline);
  if (config.scenarios !== undefined) config.scenarios = config.scenarios.map((p, i) => checkPath('scenarios', p, i));
  if (config.reportDir !== undefined) config.reportDir = resolve(base, config.reportDir);
  return { file, config };
}

export interface ScenarioSelection {
  files: string[];
  /** Whether a built-in suite is among them (its files and goldens belong to the package). */
  builtIn: boolean;
  /** Said to the user when the files came from a default they did not ask for. */
  note: string | null;
}

/**
 * What a run runs: the paths and --suite flags when given; else the config's scenarios and
 * suites; else the default folder when the working directory has it; else the default suite.
 */
export function selectScenarios(
  flags: { paths: readonly string[]; suites: readonly string[] },
  config: ProjectConfig | null,
  defaults: { folder: string; suite: string },
): ScenarioSelection {
  const pick = (paths: readonly string[], suites: readonly string[]): ScenarioSelection => ({
    files: [...new Set([...findScenarioFiles(paths), ...suiteFiles(suites)])],
    builtIn: suites.length > 0,
    note: null,
  });
  if (flags.paths.length || flags.suites.length) return pick(flags.paths, flags.suites);
  if (config && (config.scenarios?.length || config.suites?.length)) return pick(config.scenarios ?? [], config.suites ?? []);
  if (existsSync(defaults.folder)) return pick([defaults.folder], []);
  return {
    ...pick([], [defaults.suite]),
    note: `no ./${defaults.folder} here: running the built-in ${defaults.suite} suite (streamproof suites lists them)`,
  };
}

/**
 * The summary with the config's thresholds in force: in every case that measured a named
 * figure, the threshold check of that name is replaced (or added), its measurement re-marked,
 * and statuses and totals recomputed. Also returns one line saying what was checked.
 */
export function applyConfigThresholds(
  summary: RunSummary,
  thresholds: Record<string, string>,
  label: string,
): { summary: RunSummary; line: string | null } {
  const names = Object.keys(thresholds);
  if (names.length === 0) return { summary, line: null };
  let checked = 0;
  let missed = 0;
  const scenarios = summary.scenarios.map((s) => {
    const cases = s.cases.map((c): CaseResult => {
      const measured = new Set((c.measurements ?? []).map((m) => m.name));
      const mine = Object.fromEntries(Object.entries(thresholds).filter(([name]) => measured.has(name)));
      if (Object.keys(mine).length === 0) return c;
      const measurements = (c.measurements ?? []).map((m) => ({ ...m }));
      const added = checkThresholds(measurements, mine).map((k) => ({ ...k, message: `${k.message} [${label}]` }));
      checked += added.length;
      missed += added.filter((k) => !k.ok).length;
      const replaced = new Set(added.map((k) => k.name));
      const checks = [...c.checks.filter((k) => !replaced.has(k.name)), ...added];
      return { ...c, checks, measurements, status: checks.every((k) => k.ok) ? 'pass' : 'fail' };
    });
    return { ...s, cases, status: cases.every((c) => c.status === 'pass') ? ('pass' as const) : ('fail' as const) };
  });
  const all = scenarios.flatMap((s) => s.cases);
  const passed = all.filter((c) => c.status === 'pass').length;
  const line =
    checked === 0
      ? `${label} thresholds: no case in this run measures ${names.join(', ')}`
      : `${label} thresholds: ${checked} checked, ${missed} missed`;
  return {
    summary: {
      ...summary,
      scenarios,
      status: scenarios.every((s) => s.status === 'pass') ? 'pass' : 'fail',
      totals: { ...summary.totals, passed, failed: all.length - passed },
    },
    line,
  };
}

/** Where the run's target and replay upstream are, from flags (which win) and the config file. */
export interface TargetSettings {
  replayPort: number | undefined;
  targetUrl: string | undefined;
  profileFile: string | undefined;
}

export function targetSettings(
  flags: { 'replay-port'?: string | undefined; target?: string | undefined; 'target-profile'?: string | undefined },
  config: ProjectConfig | null,
): TargetSettings {
  const replayPort = flags['replay-port'] === undefined ? config?.replayPort : Number(flags['replay-port']);
  if (replayPort !== undefined && (!Number.isInteger(replayPort) || replayPort < 0 || replayPort > 65535)) {
    throw new UsageError(`--replay-port must be a port number, got ${JSON.stringify(flags['replay-port'])}`);
  }
  const targetUrl = flags.target ?? config?.target;
  const profileFile = flags['target-profile'] ?? config?.targetProfile;
  if (flags['target-profile'] && !targetUrl) throw new UsageError('--target-profile goes with --target');
  if (!/^https?:\/\//.test(targetUrl ?? 'http://'))
    throw new UsageError(`--target must be an http(s) URL, got ${JSON.stringify(targetUrl)}`);
  return { replayPort, targetUrl, profileFile };
}
