// Latency histograms: HDR (hdr-histogram-js) in integer nanoseconds, 3 significant digits, so
// sub-millisecond gaps keep their resolution (integer-ms buckets would round them to 0). They
// merge with `add`, and travel between processes as compressed base64.
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** One hour in ns: the top of the initial range (the histogram resizes beyond it). */
const HOUR_NS = 3_600_000_000_000;

export function createHistogram(): Histogram {
  // JS (not WASM) counts: WASM histograms must be destroyed by hand or leak.
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HOUR_NS,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a duration in ns (negative values, which a bug elsewhere could produce, clamp to 0). */
export function recordNs(h: Histogram, ns: number | bigint): void {
  const v = typeof ns === 'bigint' ? Number(ns) : ns;
  h.recordValue(v > 0 ? Math.round(v) : 0);
}

export function mergeHistograms(parts: readonly Histogram[]): Histogram {
  const out = createHistogram();
  for (const p of parts) out.add(p);
  return out;
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(base64: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(base64, 32, false);
  // Re-home into a histogram with our settings so later merges never hit a range limit.
  return mergeHistograms([decoded]);
}

export interface PercentileSummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles in ms (from ns); all zero when nothing was recorded. */
export function summarizeMs(h: Histogram): PercentileSummary {
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const ms = (ns: number) => ns / 1e6;
  // HDR answers a percentile with the top of its bucket, which can lie above the exact maximum:
  // a report where p99 > max is wrong on its face, so no percentile is allowed past the max.
  const max = h.maxValue;
  const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), max));
  return {
    count: h.totalCount,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: ms(max),
    mean: ms(h.mean),
  };
}
