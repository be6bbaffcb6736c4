// Reading a tinybench task's result: the median iteration time, which a shared, noisy machine
// disturbs less than the mean.
import type { Bench } from 'tinybench';

export function medianMs(bench: Bench, task: string): number {
  const t = bench.getTask(task);
  const r = t?.result;
  if (!r || !('latency' in r)) {
    const why = r && 'error' in r ? `: ${String((r as { error: unknown }).error)}` : '';
    throw new Error(`benchmark task ${task} produced no timing${why}`);
  }
  return r.latency.p50;
}
