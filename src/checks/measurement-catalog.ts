// Every measurement a benchmark kind can report, by name pattern: its unit, which direction is
// better (for baseline comparison), and whether a baseline compares it at all (max values and
// schedule noise are reported but too noisy to gate on run to run).
export type BenchKind = 'load' | 'soak' | 'micro' | 'http-load' | 'resilience';

export interface MeasurementDef {
  pattern: RegExp;
  kinds: readonly BenchKind[];
  unit: string;
  better: 'lower' | 'higher' | 'none';
  baseline: boolean;
  about: string;
}

const STREAMING: BenchKind[] = ['load', 'soak'];
/** Kinds whose gateway runs in a process of its own, sampled every 100 ms. */
const GATEWAY_PROCESS: BenchKind[] = [...STREAMING, 'resilience'];
/** The phase a figure comes from: through the gateway (no prefix), direct to the upstream, or through the null proxy. */
const PHASE = '(?:direct_|proxy_)?';
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
    pattern: new RegExp(`^added_hop_(ttfb|ttfe|ttft|e2e|itl|tpot)_${PCT}_ms$`),
    kinds: ['load'],
    unit: 'ms',
    better: 'none',
    baseline: false,
    about: 'one more hop: null proxy minus direct, same percentile, same run (the floor any gateway starts from)',
  },
  {
    pattern: new RegExp(`^added_over_proxy_(ttfb|ttfe|ttft|e2e|itl|tpot)_${PCT}_ms$`),
    kinds: ['load'],
    unit: 'ms',
    better: 'lower',
    baseline: true,
    about: 'what the gateway itself adds: gateway minus null proxy, same percentile, same run',
  },
  {
    pattern: /^(?:direct_|proxy_|added_|added_hop_|added_over_proxy_)?(ttfb|ttfe|ttft|e2e|itl|tpot)_max_ms$/,
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
    pattern: /^goodput_rps$/,
    kinds: STREAMING,
    unit: 'req/s',
    better: 'higher',
    baseline: true,
    about: 'requests that met every SLO (scenario `slo:`) per second of the measured window',
  },
  {
    pattern: /^slo_attainment$/,
    kinds: STREAMING,
    unit: 'fraction',
    better: 'higher',
    baseline: true,
    about: 'fraction of measured requests that met every SLO (failed requests missed)',
  },
  {
    pattern: /^slo_missed_(ttft|itl|e2e)$/,
    kinds: STREAMING,
    unit: 'count',
    better: 'lower',
    baseline: true,
    about: 'completed requests over one SLO (which objective binds)',
  },
  {
    pattern: /^knee_rate$/,
    kinds: ['load'],
    unit: 'req/s',
    better: 'higher',
    baseline: true,
    about: 'sweep over rate: the highest step that met every stopWhen condition (0: none did)',
  },
  {
    pattern: /^knee_concurrency$/,
    kinds: ['load'],
    unit: 'streams',
    better: 'higher',
    baseline: true,
    about: 'sweep over concurrency: the highest step that met every stopWhen condition (0: none did)',
  },
  {
    pattern: /^step_rate$/,
    kinds: ['load'],
    unit: 'req/s',
    better: 'none',
    baseline: false,
    about: 'sweep: the offered rate of this step',
  },
  {
    pattern: /^step_concurrency$/,
    kinds: ['load'],
    unit: 'streams',
    better: 'none',
    baseline: false,
    about: 'sweep: the concurrency of this step',
  },
  {
    pattern: /^sweep_steps$/,
    kinds: ['load'],
    unit: 'count',
    better: 'none',
    baseline: false,
    about: 'sweep: steps run before saturation or the last step',
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
    kinds: GATEWAY_PROCESS,
    unit: 'MB',
    better: 'lower',
    baseline: true,
    about: 'gateway process gauge, max over 100 ms samples',
  },
  {
    pattern: /^gateway_(active_streams|in_flight)_max$/,
    kinds: GATEWAY_PROCESS,
    unit: 'count',
    better: 'none',
    baseline: false,
    about: 'streams (after the upstream answered) / requests open in the gateway, max',
  },
  {
    pattern: /^gateway_(cpu|elu)_(mean|max)$/,
    kinds: [...GATEWAY_PROCESS, 'http-load'],
    unit: 'fraction',
    better: 'none',
    baseline: false,
    about: 'gateway CPU (1 = one core) / event-loop utilisation',
  },
  {
    pattern: /^gateway_gc_pause_max_ms$/,
    kinds: GATEWAY_PROCESS,
    unit: 'ms',
    better: 'lower',
    baseline: false,
    about: 'longest GC pause in the gateway process',
  },
  {
    pattern: /^(heap_after_warmup|heap_after_run|rss_after_warmup|rss_after_run)_mb$/,
    kinds: GATEWAY_PROCESS,
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
    pattern: /^(?:direct_|proxy_)?driver_(event_loop_delay_p99_ms|elu|cpu)$/,
    kinds: [...STREAMING, 'http-load', 'resilience'],
    unit: '',
    better: 'none',
    baseline: false,
    about: "the load driver's own health",
  },
  {
    pattern: /^(?:direct_|proxy_)?(gateway|driver|upstream)_cpu_us_per_event$|^proxy_cpu_us_per_event$/,
    kinds: STREAMING,
    unit: 'µs',
    better: 'lower',
    baseline: true,
    about:
      "a process's CPU time (user + system) over the phase / events delivered in it: the gateway, the load driver's hot path, the replay upstream, the null proxy (each in its own process)",
  },
  {
    pattern: /^(?:direct_|proxy_)?(gateway|driver|upstream)_cpu_wait$|^proxy_cpu_wait$/,
    kinds: STREAMING,
    unit: 'fraction',
    better: 'none',
    baseline: false,
    about:
      "share of the phase's wall time a process's main thread waited for a core, runnable but not running (/proc/<pid>/schedstat): what other processes on the machine, the run's own included, cost its latency; Linux only",
  },
  {
    pattern: /^(?:direct_|proxy_)?cores_used$/,
    kinds: STREAMING,
    unit: 'cores',
    better: 'none',
    baseline: false,
    about:
      'CPU time of every process the phase measured (driver, upstream, gateway or null proxy), over its wall time: near the core count they queue for CPU',
  },
  {
    pattern: /^(?:direct_|proxy_)?driver_analysis_cpu_us_per_event$/,
    kinds: STREAMING,
    unit: 'µs',
    better: 'lower',
    baseline: false,
    about: "the load driver's deferred work after the phase (decoding, golden comparison, histograms) / events delivered",
  },
  {
    pattern: /^calibration_(added_ttft_p50|expected_ttft_p50|delay_applied_p50|error|ci95)_ms$/,
    kinds: ['load'],
    unit: 'ms',
    better: 'none',
    baseline: false,
    about:
      'calibration, one phase through the null proxy holding every other request a known delay: added = the median over pairs (a held request and the plain one launched next to it) of held − plain TTFT; expected = the delay as the proxy applied it (p50); error = added − expected; ci95 = half the 95% confidence interval of added (its sampling error, which must not exceed the tolerance)',
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
  // kind: resilience. Per-fault figures carry the fault's name: recovery_status_503_p99_ms.
  {
    pattern: /^recovery(?:_[a-z0-9_]+)?_(p50|p99)_ms$/,
    kinds: ['resilience'],
    unit: 'ms',
    better: 'lower',
    baseline: true,
    about: 'failed first upstream attempt over (as the upstream saw it) → first byte at the client; overall or per fault',
  },
  {
    pattern: /^recovery(?:_[a-z0-9_]+)?_max_ms$/,
    kinds: ['resilience'],
    unit: 'ms',
    better: 'lower',
    baseline: false,
    about: 'longest single recovery (reported, too noisy for a baseline)',
  },
  {
    pattern: /^(recovery_broken|soak_broken|soak_unexpected|upstream_requests_left_open)$/,
    kinds: ['resilience'],
    unit: 'count',
    better: 'lower',
    baseline: true,
    about:
      'failures (zero is the target): streams neither golden nor a well-formed terminal error; outcomes other than the fault calls for; upstream requests still open after the soak',
  },
  {
    pattern: /^(recovery_streams|soak_streams|soak_golden|soak_terminal_errors|soak_aborted)$/,
    kinds: ['resilience'],
    unit: 'count',
    better: 'none',
    baseline: false,
    about: 'volume and outcomes',
  },
  {
    pattern: /^upstream_close_ms$/,
    kinds: ['resilience'],
    unit: 'ms',
    better: 'lower',
    baseline: false,
    about: 'last soak client done → every upstream request and gateway request closed (gateway sampled every 100 ms)',
  },
  {
    pattern: /^live_heap_(before|after)_mb$/,
    kinds: ['resilience'],
    unit: 'MB',
    better: 'none',
    baseline: false,
    about: 'gateway live heap (summed from a heap snapshot) after warm-up / after the soak, each with idle connections closed and expired',
  },
  {
    pattern: /^live_heap_growth_mb$/,
    kinds: ['resilience'],
    unit: 'MB',
    better: 'lower',
    baseline: true,
    about: 'live heap after the soak minus after warm-up',
  },
  {
    pattern: /^gateway_recovery_mean_ms$/,
    kinds: ['resilience'],
    unit: 'ms',
    better: 'none',
    baseline: false,
    about: "the gateway's own recovery_seconds histogram (first failure → upstream first byte), mean over the whole run, soak included",
  },
  {
    pattern: /^soak_driver_(event_loop_delay_(p99|max)_ms|elu|cpu)$/,
    kinds: ['resilience'],
    unit: '',
    better: 'none',
    baseline: false,
    about: "the clients' and replay upstream's process during the soak (reported, not gated)",
  },
  {
    pattern: /^soak_seconds$/,
    kinds: ['resilience'],
    unit: 's',
    better: 'none',
    baseline: false,
    about: 'wall time of the soak rounds',
  },
];

export function findMeasurementDef(name: string, kind?: BenchKind): MeasurementDef | undefined {
  return DEFS.find((d) => d.pattern.test(name) && (kind === undefined || d.kinds.includes(kind)));
}

/** Units for measurements the catalog describes (used when building Measurement objects). */
export function unitOf(name: string): string {
  return findMeasurementDef(name)?.unit ?? '';
}
