// How much one half of a phase's requests was shifted against the other, measured on pairs: each
// marked request with the unmarked one launched next to it. Both members of a pair meet the same
// moment of the run (a ramp, a GC pause, a burst of other work), so the difference of a pair holds
// the shift and each request's own noise, not the trend: a difference of two medians would carry
// the trend's spread into its uncertainty.

export interface LaunchedSample {
  /** When the request was launched (any clock, ns). */
  atNs: number;
  valueNs: number;
  marked: boolean;
}

/** marked − unmarked of adjacent launches, ms: in launch order, each neighbouring mixed pair once. */
export function pairedDifferencesMs(samples: readonly LaunchedSample[]): number[] {
  const ordered = [...samples].sort((a, b) => a.atNs - b.atNs);
  const out: number[] = [];
  for (let i = 0; i + 1 < ordered.length; i++) {
    const a = ordered[i]!;
    const b = ordered[i + 1]!;
    if (a.marked === b.marked) continue;
    out.push((a.marked ? a.valueNs - b.valueNs : b.valueNs - a.valueNs) / 1e6);
    i++; // both are used
  }
  return out;
}

export interface MedianWithInterval {
  median: number;
  /** Half the width of the median's 95% confidence interval (Infinity below two values). */
  ci95HalfWidth: number;
  count: number;
}

/**
 * The median and its 95% confidence interval, distribution-free: the median lies between the
 * order statistics at n/2 ± 0.98·√n with 95% probability (the normal approximation of the
 * binomial).
 */
export function medianWithInterval(values: readonly number[]): MedianWithInterval {
  const n = values.length;
  if (n === 0) return { median: 0, ci95HalfWidth: Number.POSITIVE_INFINITY, count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  if (n < 2) return { median, ci95HalfWidth: Number.POSITIVE_INFINITY, count: n };
  const d = 0.98 * Math.sqrt(n);
  const lo = sorted[Math.max(0, Math.floor(n / 2 - d))]!;
  const hi = sorted[Math.min(n - 1, Math.ceil(n / 2 + d) - 1)]!;
  return { median, ci95HalfWidth: (hi - lo) / 2, count: n };
}
