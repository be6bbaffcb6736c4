// Runs fuzz properties for providers with fast-check: seeded, bounded in runs and time, shrunk on
// failure, and every failure written as a replayable cassette. Results become report cases.
import fc from 'fast-check';
import { globSync } from 'tinyglobby';
import { packageFile } from '../base/package-files.ts';
import { loadCassette } from '../cassette/cassette.ts';
import { providers as registered } from '../providers/index.ts';
import type { CaseResult } from '../checks/result.ts';
import { writeCounterexample } from './counterexample.ts';
import { buildProperty, PROPERTY_NAMES, type FuzzTarget, type PropertyName } from './properties.ts';

export interface FuzzOptions {
  providers?: readonly string[];
  properties?: readonly PropertyName[];
  runs: number;
  seed: number;
  /** Per property and provider; a run that hits it stops early and says so. */
  timeBudgetMs: number;
  /** Where counterexamples go (a `streamproof run` scenario is written beside them). */
  counterexampleDir: string;
  /** Replaces a provider's descriptor (tests use this to fuzz a deliberately broken decoder). */
  overrideProvider?: FuzzTarget['provider'];
  onResult?: (result: CaseResult) => void;
}

const FIXTURES_DIR = packageFile('fixtures');

/** The registered providers' names: every provider brings its fuzz generator in its descriptor. */
export function fuzzProviderNames(): string[] {
  return registered.map((p) => p.name);
}

export function fuzzTargets(providers: readonly string[] | undefined, override?: FuzzTarget['provider']): FuzzTarget[] {
  const chosen = registered.filter((p) => !providers?.length || providers.includes(p.name));
  return chosen.map((descriptor): FuzzTarget => {
    const cassettes = globSync(`${descriptor.name}/*.yaml`, { cwd: FIXTURES_DIR, absolute: true }).sort().map(loadCassette);
    return { name: descriptor.name, provider: override ?? descriptor, generator: descriptor.fuzz, cassettes, maxLineBytes: 64 * 1024 };
  });
}

export async function runFuzz(options: FuzzOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const target of fuzzTargets(options.providers, options.overrideProvider)) {
    for (const name of options.properties ?? PROPERTY_NAMES) {
      const result = await runOne(name, target, options);
      if (!result) continue;
      results.push(result);
      options.onResult?.(result);
    }
  }
  return results;
}

async function runOne(name: PropertyName, target: FuzzTarget, options: FuzzOptions): Promise<CaseResult | null> {
  const built = buildProperty(name, target);
  const caseName = `${name} / ${target.name}`;
  if (!built) return null; // e.g. framing for a binary dialect: not applicable
  const outcomes = new Map<string, number>();
  const started = performance.now();
  const property = fc.property(built.arbitrary, (input) => {
    if (built.classify) {
      const outcome = built.classify(input);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const failure = built.check(input);
    if (failure !== null) throw new PropertyFailure(failure);
  });
  const details = fc.check(property, {
    numRuns: options.runs,
    seed: options.seed,
    interruptAfterTimeLimit: options.timeBudgetMs,
    markInterruptAsFailure: false,
  });
  const durationMs = performance.now() - started;
  const outcomeText = [...outcomes.entries()]
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const summary = `${details.numRuns} runs, seed ${details.seed}${details.interrupted ? ` (stopped by the ${options.timeBudgetMs} ms budget)` : ''}`;
  if (!details.failed) {
    return {
      name: caseName,
      status: 'pass',
      durationMs,
      checks: [{ name, ok: true, message: summary, ...(outcomeText ? { detail: outcomeText } : {}) }],
      measurements: [
        { name: 'runs', value: details.numRuns, unit: 'runs' },
        { name: 'ms_per_1000_runs', value: details.numRuns ? (durationMs * 1000) / details.numRuns : 0, unit: 'ms' },
      ],
    };
  }
  const input = details.counterexample![0];
  const reason = details.errorInstance instanceof PropertyFailure ? details.errorInstance.message : String(details.errorInstance);
  const written = await writeCounterexample(options.counterexampleDir, {
    name: `${target.name}-${name}-seed${details.seed}`,
    provider: target.name,
    property: name,
    seed: details.seed,
    path: details.counterexamplePath ?? '',
    example: built.counterexample(input, reason),
  });
  return {
    name: caseName,
    status: 'fail',
    durationMs,
    checks: [
      {
        name,
        ok: false,
        message: `${reason} (${summary}, shrunk ${details.numShrinks} times)`,
        detail: `replay: streamproof run ${written.scenarioDir}\nreproduce the search: --seed ${details.seed} (fast-check path ${details.counterexamplePath ?? 'n/a'})\ncassette: ${written.cassette}`,
      },
    ],
  };
}

class PropertyFailure extends Error {}
