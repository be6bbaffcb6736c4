// Every measurement a benchmark kind can report, by name pattern: its unit, which direction is
// better (for baseline comparison), and whether a baseline compares it at all (max values and
// schedule noise are reported but too noisy to gate on run to run).
export type BenchKind = 'load' | 'soak' | 'micro' | 'http-load';

export interface MeasurementDef {
  pattern: RegExp;
  kinds: readonly BenchKind[];
  unit: string;
  better: 'lower' | 'higher' | 'none';
  baseline: boolean;
  about: string;
}

const STREAMING: BenchKind[] = ['load', 'soak'];
const PHASE = '(?:direct_)?';
const PCT = '(p50|p90|p99|mean)';
const PCT_ALL = '(p50|p90|p99|max|mean)';

const DEFS: MeasurementDef[] = [
  {
    pattern: new RegExp(`^${PHASE}(ttfb|ttfe|ttft|e2e|itl|tpot)_${PCT}_ms$`),
    kinds: STREAMING,
    unit: 'ms',
    better: 'lower',
    baseline: true,
    about: 'per-stream latency percentile',
  },
  {
    pattern: new RegExp(`^added_(ttfb|ttfe|ttft|e2e|itl|tpot)_${PCT}_ms$`),
    kinds: ['load'],
    unit: 'ms',
    better: 'lower',
    baseline: true,
    about: 'gateway minus direct, same percentile, same run',
  },
  {
    pattern: /^(?:direct_|added_)?(ttfb|ttfe|ttft|e2e|itl|tpot)_max_ms$/,
    kinds: STREAMING,
    unit: 'ms',
    better: 'lower',
    baseline: false,
    about: 'worst single value (reported, too noisy for a baseline)',
  },
  {
    pattern: new RegExp(`^${PHASE}stream_tokens_per_s_(p50|p10)$`),
    kinds: STREAMING,
    unit: 'tokens/s',
    better: 'higher',
    baseline: true,
    about: 'tokens/s of one stream (content events / E2E)',
  },
  {
    pattern: new RegExp(`^${PHASE}(tokens|events)_per_s$`),
    kinds: STREAMING,
    unit: '/s',
    better: 'higher',
    baseline: true,
    about: 'aggregate rate over the measured window',
  },
  {
    pattern: new RegExp(`^${PHASE}mb_per_s$`),
    kinds: STREAMING,
    unit: 'MB/s',
    better: 'higher',
    baseline: true,
    about: 'aggregate bytes received / window',
  },
  {
    pattern: new RegExp(
      `^${PHASE}(errors|errors_[a-z0-9_]+|stalls|lost_frames|corrupted_frames|reordered_frames|extra_frames|mismatched_streams|dropped)$`,
    ),
    kinds: STREAMING,
    unit: 'count',
    better: 'lower',
    baseline: true,
    about: 'failures (zero is the target)',
  },
  {
    pattern: new RegExp(`^${PHASE}(streams|cut_streams|concurrency_max)$`),
    kinds: STREAMING,
    unit: 'count',
    better: 'none',
    baseline: false,
    about: 'volume',
  },
  {
    pattern: /^tokens_streamed$/,
    kinds: ['soak'],
    unit: 'tokens',
    better: 'higher',
    baseline: false,
    about: 'tokens streamed in the measured soak',
  },
  {
    pattern: new RegExp(`^${PHASE}schedule_delay_${PCT_ALL}_ms$`),
    kinds: STREAMING,
    unit: 'ms',
    better: 'lower',
    baseline: false,
    about: 'actual − intended start (open loop)',
  },
  {
    pattern: /^gateway_(rss|heap|buffered|pipeline|queued_writes)_max_mb$/,
    kinds: STREAMING,
    unit: 'MB',
    better: 'lower',
    baseline: true,
    about: 'gateway process gauge, max over 100 ms samples',
  },
  {
    pattern: /^gateway_(active_streams|in_flight)_max$/,
    kinds: STREAMING,
    unit: 'count',
    better: 'none',
    baseline: false,
    about: 'streams (after the upstream answered) / requests open in the gateway, max',
  },
  {
    pattern: /^gateway_(cpu|elu)_(mean|max)$/,
    kinds: [...STREAMING, 'http-load'],
    unit: 'fraction',
    better: 'none',
    baseline: false,
    about: 'gateway CPU (1 = one core) / event-loop utilisation',
  },
  {
    pattern: /^gateway_gc_pause_max_ms$/,
    kinds: STREAMING,
    unit: 'ms',
    better: 'lower',
    baseline: false,
    about: 'longest GC pause in the gateway process',
  },
  {
    pattern: /^(heap_after_warmup|heap_after_run|rss_after_warmup|rss_after_run)_mb$/,
    kinds: STREAMING,
    unit: 'MB',
    better: 'none',
    baseline: false,
    about: 'gateway memory after a full GC',
  },
  {
    pattern: /^(heap|rss)_growth_mb$/,
    kinds: STREAMING,
    unit: 'MB',
    better: 'lower',
    baseline: true,
    about: 'after-run minus after-warm-up, both after GC',
  },
  {
    pattern: /^(slow_client_backlog|upstream_ahead_of_client)_mb$/,
    kinds: ['load'],
    unit: 'MB',
    better: 'none',
    baseline: false,
    about: 'slow readers: what a gateway without backpressure would hold',
  },
  {
    pattern: /^(?:direct_)?driver_(event_loop_delay_p99_ms|elu|cpu)$/,
    kinds: [...STREAMING, 'http-load'],
    unit: '',
    better: 'none',
    baseline: false,
    about: "the load driver's own health",
  },
  {
    pattern: /^sse_parse(_[a-z_]+_\d+b)?_mb_s$/,
    kinds: ['micro'],
    unit: 'MB/s',
    better: 'higher',
    baseline: true,
    about: 'src/sse/parser.ts, bytes → events',
  },
  {
    pattern: /^eventsource_parser(_[a-z_]+_\d+b)?_mb_s$/,
    kinds: ['micro'],
    unit: 'MB/s',
    better: 'none',
    baseline: false,
    about: 'eventsource-parser 3, bytes → events (same streams, same run)',
  },
  {
    pattern: /^sse_parse(_huge_line_drip)?_vs_eventsource_parser$/,
    kinds: ['micro'],
    unit: 'ratio',
    better: 'higher',
    baseline: false,
    about: 'ours / eventsource-parser, same run',
  },
  {
    pattern: /^translate_[a-z0-9-]+_mb_s$|^translate_mb_s_min$/,
    kinds: ['micro'],
    unit: 'MB/s',
    better: 'higher',
    baseline: true,
    about: 'provider bytes → OpenAI chunks through the normalizing pipeline',
  },
  {
    pattern: /^translate_[a-z0-9-]+_ns_per_event$|^translate_ns_per_event_max$/,
    kinds: ['micro'],
    unit: 'ns',
    better: 'lower',
    baseline: true,
    about: 'pipeline time per upstream event',
  },
  {
    pattern: /^dispatch_[a-z0-9-]+_us$|^dispatch_us_max$/,
    kinds: ['micro'],
    unit: 'µs',
    better: 'lower',
    baseline: true,
    about: 'resolveRoute + provider.buildRequest per request',
  },
  {
    pattern: /^provider_memory_[a-z0-9-]+_mb$|^provider_memory_max_mb$/,
    kinds: ['micro'],
    unit: 'MB',
    better: 'lower',
    baseline: true,
    about: 'heap held by 1,000 open pipelines mid-stream (after GC)',
  },
  {
    pattern: /^requests_per_s$/,
    kinds: ['http-load'],
    unit: 'req/s',
    better: 'higher',
    baseline: true,
    about: 'non-streaming requests per second',
  },
  {
    pattern: /^latency_(p50|p90|p99|mean)_ms$/,
    kinds: ['http-load'],
    unit: 'ms',
    better: 'lower',
    baseline: true,
    about: 'request written → full response',
  },
  { pattern: /^latency_max_ms$/, kinds: ['http-load'], unit: 'ms', better: 'lower', baseline: false, about: 'worst request' },
  {
    pattern: /^(errors|non_2xx|mismatches|timeouts)$/,
    kinds: ['http-load'],
    unit: 'count',
    better: 'lower',
    baseline: true,
    about: 'failures (zero is the target)',
  },
  { pattern: /^(requests|mb_per_s)$/, kinds: ['http-load'], unit: '', better: 'none', baseline: false, about: 'volume' },
];

export function findMeasurementDef(name: string, kind?: BenchKind): MeasurementDef | undefined {
  return DEFS.find((d) => d.pattern.test(name) && (kind === undefined || d.kinds.includes(kind)));
}

/** Units for measurements the catalog describes (used when building Measurement objects). */
export function unitOf(name: string): string {
  return findMeasurementDef(name)?.unit ?? '';
}
