// The shape of a load case's distributions and time series, as summary.json carries them for the
// HTML report's charts: compact (tens of points per curve, a few hundred per series), never raw
// per-request data. Produced by src/load/distribution.ts; read by src/report/html/.

/** One latency series of one phase, from its HDR histogram. */
export interface LatencyDistribution {
  /** Streams (or, for ITL, gaps) recorded. */
  count: number;
  /** [percentile 0–100, ms] at about 50 log-spaced percentiles (p0 … p99.999, then max). */
  percentiles: Array<[number, number]>;
  /** Values of 0 (events that arrived in one read): a log axis cannot show them. */
  zeros?: number;
  /** [lower edge ms, upper edge ms, count] on a fixed log grid (10 bins a decade); empty bins and zeros left out. */
  bins: Array<[number, number, number]>;
}

/** What the load driver saw over one phase, sampled every few hundred ms (columns of equal length). */
export interface DriverSeries {
  /** Seconds since the case's first phase started. */
  t: number[];
  /** Events of completed streams per second over the last interval. */
  eventsPerS: number[];
  /** Streams open at the sample. */
  openStreams: number[];
  /** Failed streams so far (cumulative). */
  errors: number[];
}

export interface LoadPhaseDetail {
  /** e.g. "direct", "null-proxy", "gateway". */
  phase: string;
  timings: Partial<Record<'ttfb' | 'ttft' | 'itl' | 'e2e', LatencyDistribution>>;
  series: DriverSeries;
}

/** The gateway process over the case (reference gateway only): one column per gauge. */
export interface GatewaySeries {
  t: number[];
  rssMb: number[];
  heapMb: number[];
  /** CPU time / wall time since the previous sample (1 = one core). */
  cpu: number[];
}

export interface LoadDetail {
  phases: LoadPhaseDetail[];
  gateway?: GatewaySeries;
}
