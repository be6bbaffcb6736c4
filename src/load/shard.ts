// Shard i of N of one load run: its slice of the one seeded global schedule. Open loop: every N-th
// arrival of the global arrival sequence (interleaved, not a contiguous slice: a contiguous slice
// of arrivals is a contiguous slice of time, so shards would run one after another). Closed loop:
// there is no global schedule (each stream's next request waits for its last), so what is split is
// the concurrency and the request budget. Shard indices are 0-based, like JOB_COMPLETION_INDEX.
import { arrivalOffsets, type LoadModel } from './schedule.ts';
import type { RunBounds } from './load-model.ts';

export interface ShardSpec {
  index: number;
  count: number;
}

/** "i/N" (0 ≤ i < N) → the spec, or a sentence saying what is wrong. */
export function parseShardSpec(text: string): ShardSpec | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return `--shard ${JSON.stringify(text)}: expected i/N, e.g. 0/3 (0-based, like JOB_COMPLETION_INDEX)`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 10_000) return `--shard ${text}: N must be 1–10000`;
  if (index >= count) return `--shard ${text}: the index is 0-based, so it must be below N (${count})`;
  return { index, count };
}

export function shardDirName(s: ShardSpec): string {
  return `shard-${s.index}-of-${s.count}`;
}

/** How many of the global indices 0..total-1 fall to shard i (every N-th, starting at i). */
export function everyNth(total: number, s: ShardSpec): number {
  return total > s.index ? Math.floor((total - 1 - s.index) / s.count) + 1 : 0;
}

/** Shard i's part of `total` split as evenly as possible (the first `total mod N` shards get one more). */
export function evenShare(total: number, s: ShardSpec): number {
  return Math.floor(total / s.count) + (s.index < total % s.count ? 1 : 0);
}

export interface ShardPlan {
  model: LoadModel;
  bounds: RunBounds;
  /** Open loop: the shard's intended start offsets (ns), taken from the global sequence. */
  arrivals?: Iterable<bigint>;
}

/**
 * The shard's model, bounds and arrivals. Throws (with a sentence) when the run cannot be split
 * that finely (a closed loop with fewer streams than shards).
 */
export function planShard(model: LoadModel, bounds: RunBounds, s: ShardSpec): ShardPlan {
  if (model.type === 'closed') {
    // Refused in every shard alike (not only in those left with none), before any traffic.
    if (model.concurrency < s.count)
      throw new Error(`a closed loop of ${model.concurrency} streams cannot be split into ${s.count} shards (each needs at least one)`);
    // Requests and warm-up in proportion to the streams, so every stream does about as many as in one process.
    const part = (n: number) => proportionalShare(n, model.concurrency, s);
    return {
      model: { ...model, concurrency: evenShare(model.concurrency, s) },
      bounds: { ...bounds, maxRequests: part(bounds.maxRequests), warmupRequests: part(bounds.warmupRequests) },
    };
  }
  return {
    model: { ...model, maxInFlight: Math.max(1, evenShare(model.maxInFlight, s)) },
    bounds: {
      ...bounds,
      // The count bound is on the global sequence: shard i gets the global indices i, i+N, … below it.
      maxRequests: everyNth(bounds.maxRequests, s),
      warmupRequests: everyNth(bounds.warmupRequests, s),
    },
    arrivals: shardArrivals(model, s),
  };
}

/** Every N-th intended start of the global sequence, starting at the i-th (same seed, same times). */
export function* shardArrivals(model: Extract<LoadModel, { type: 'constant' | 'poisson' }>, s: ShardSpec): Generator<bigint> {
  let i = 0;
  for (const offset of arrivalOffsets(model)) {
    if (i++ % s.count === s.index) yield offset;
  }
}

/** `total` split by the shards' shares of `weightTotal` (even shares), largest remainders first, so the parts sum to `total`. */
function proportionalShare(total: number, weightTotal: number, s: ShardSpec): number {
  const weights = Array.from({ length: s.count }, (_, i) => evenShare(weightTotal, { index: i, count: s.count }));
  const exact = weights.map((w) => (total * w) / weightTotal);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    parts[i]!++;
  }
  return parts[s.index]!;
}
