// What a load scenario fixes for every phase it runs, in the units runPhase takes: one place, so
// the plain run, each sweep step and each shard read the scenario the same way.
import type { RunBounds } from '../../../load/load-model.ts';
import type { PhaseOptions } from '../../../load/phase.ts';
import type { LoadScenario } from './schema.ts';

/** The request and time bounds of one phase (a sweep step or a compare round may run shorter). */
export function phaseBounds(scenario: LoadScenario, seconds: number = scenario.duration.seconds): RunBounds {
  return {
    maxRequests: scenario.duration.requests,
    maxDurationMs: seconds * 1000,
    warmupRequests: scenario.warmup.requests,
    warmupMs: scenario.warmup.seconds * 1000,
  };
}

/** Timeouts, reader, stall threshold, end of phase, drain and driver limits. */
export function phaseSettings(
  scenario: LoadScenario,
): Pick<PhaseOptions, 'timeouts' | 'slowReader' | 'stallMs' | 'onEnd' | 'drainMs' | 'driverLimits'> {
  return {
    timeouts: {
      headersMs: scenario.timeouts.headersSeconds * 1000,
      idleMs: scenario.timeouts.idleSeconds * 1000,
      streamMs: scenario.timeouts.streamSeconds * 1000,
    },
    slowReader: scenario.reader,
    stallMs: scenario.stallMs,
    onEnd: scenario.onEnd,
    drainMs: scenario.drainSeconds * 1000,
    driverLimits: scenario.driver,
  };
}
