// BENCHMARKS.md: the last measured figure for every target, with the command that produced it
// and the machine it ran on. A pure function of the run's summary and the machine info.
import type { Measurement, RunSummary } from '../checks/result.ts';
import { headroom, targetRatio } from '../checks/thresholds.ts';
import type { MachineInfo } from './machine.ts';

/** The users' stated targets and the measurement that stands for each in the shipped set. */
export const USER_TARGETS: ReadonlyArray<{ label: string; scenario: string; measurement: string }> = [
  { label: '1,000 concurrent streams', scenario: 'fidelity-1k', measurement: 'concurrency_max' },
  { label: '… with zero errors', scenario: 'fidelity-1k', measurement: 'errors' },
  { label: '… and zero lost frames', scenario: 'fidelity-1k', measurement: 'lost_frames' },
  { label: '… every stream byte-identical to its golden', scenario: 'fidelity-1k', measurement: 'mismatched_streams' },
  { label: 'Added TTFT p99 under 5 ms (dispatch overhead)', scenario: 'added-latency', measurement: 'added_ttft_p99_ms' },
  { label: 'Per-token processing under 1 ms: CPU per event, worst provider', scenario: 'micro', measurement: 'translate_ns_per_event_max' },
  { label: 'Per-token processing under 1 ms: added ITL p90 under load', scenario: 'added-latency', measurement: 'added_itl_p90_ms' },
  { label: 'Over 10K tokens/s (the scenario gates 150K)', scenario: 'throughput', measurement: 'tokens_per_s' },
  { label: 'SSE parsing over 100 MB/s', scenario: 'micro', measurement: 'sse_parse_mb_s' },
  { label: 'Gateway streaming buffers under 2 MB at 1,000 streams', scenario: 'fidelity-1k', measurement: 'gateway_buffered_max_mb' },
  {
    label: 'Provider layer memory under 8 MB (1,000 open streams, worst provider)',
    scenario: 'micro',
    measurement: 'provider_memory_max_mb',
  },
  { label: 'No heap growth over 1M tokens (after GC, vs after warm-up)', scenario: 'soak-1m-tokens', measurement: 'heap_growth_mb' },
  { label: 'A slow reader bounds gateway memory (backpressure)', scenario: 'slow-reader', measurement: 'gateway_buffered_max_mb' },
  { label: 'Recovery within 50 ms (failed first attempt → first byte), p99', scenario: 'resilience', measurement: 'recovery_p99_ms' },
  { label: 'Gateway CPU per event at 1,000 streams (normalize)', scenario: 'added-latency-1k', measurement: 'gateway_cpu_us_per_event' },
  { label: 'Driver CPU per event at 1,000 streams', scenario: 'added-latency-1k', measurement: 'driver_cpu_us_per_event' },
  { label: 'Added TTFT p99 at 1,000 streams', scenario: 'added-latency-1k', measurement: 'added_ttft_p99_ms' },
  { label: 'Added TTFT p50, gateway − null proxy', scenario: 'added-latency', measurement: 'added_over_proxy_ttft_p50_ms' },
  { label: 'Added TTFT p99, gateway − null proxy', scenario: 'added-latency', measurement: 'added_over_proxy_ttft_p99_ms' },
];

/** Figures shown for context (not gated), when the run has them. */
const CONTEXT: ReadonlyArray<{ label: string; scenario: string; measurement: string }> = [
  { label: 'Added TTFT p50', scenario: 'added-latency', measurement: 'added_ttft_p50_ms' },
  { label: 'Added TTFT p90', scenario: 'added-latency', measurement: 'added_ttft_p90_ms' },
  { label: 'Added ITL p50', scenario: 'added-latency', measurement: 'added_itl_p50_ms' },
  { label: 'Added ITL p99', scenario: 'added-latency', measurement: 'added_itl_p99_ms' },
  { label: 'TTFT p99, direct to the replay upstream', scenario: 'added-latency', measurement: 'direct_ttft_p99_ms' },
  { label: 'TTFT p99, through the gateway', scenario: 'added-latency', measurement: 'ttft_p99_ms' },
  { label: 'Gateway GC pause, longest (added-latency run)', scenario: 'added-latency', measurement: 'gateway_gc_pause_max_ms' },
  { label: 'SSE parser / eventsource-parser 3, same streams, same run', scenario: 'micro', measurement: 'sse_parse_vs_eventsource_parser' },
  { label: 'eventsource-parser 3 on the same streams', scenario: 'micro', measurement: 'eventsource_parser_mb_s' },
  {
    label: 'SSE parser, 1 MiB `data:` lines in 256-byte reads (huge-line-drip)',
    scenario: 'micro',
    measurement: 'sse_parse_huge_line_drip_256b_mb_s',
  },
  {
    label: 'eventsource-parser 3 on the same huge-line-drip reads',
    scenario: 'micro',
    measurement: 'eventsource_parser_huge_line_drip_256b_mb_s',
  },
  {
    label: 'SSE parser, 1 MiB `data:` lines in 16 KiB reads (huge-line-drip)',
    scenario: 'micro',
    measurement: 'sse_parse_huge_line_drip_16384b_mb_s',
  },
  {
    label: 'eventsource-parser 3 on the same huge-line-drip reads',
    scenario: 'micro',
    measurement: 'eventsource_parser_huge_line_drip_16384b_mb_s',
  },
  { label: 'Translation, slowest provider', scenario: 'micro', measurement: 'translate_mb_s_min' },
  { label: 'Dispatch (route + request translation), slowest provider', scenario: 'micro', measurement: 'dispatch_us_max' },
  { label: 'Gateway RSS at 1,000 streams', scenario: 'fidelity-1k', measurement: 'gateway_rss_max_mb' },
  { label: 'Gateway heap at 1,000 streams (max sample, garbage included)', scenario: 'fidelity-1k', measurement: 'gateway_heap_max_mb' },
  { label: 'Soak: tokens streamed', scenario: 'soak-1m-tokens', measurement: 'tokens_streamed' },
  { label: 'Soak: aggregate tokens/s', scenario: 'soak-1m-tokens', measurement: 'tokens_per_s' },
  { label: 'Slow readers: bytes the clients fell behind', scenario: 'slow-reader', measurement: 'slow_client_backlog_mb' },
  {
    label: 'Slow readers: upstream bytes in flight (kernel buffers + gateway)',
    scenario: 'slow-reader',
    measurement: 'upstream_ahead_of_client_mb',
  },
  { label: 'Non-streaming requests/s (autocannon)', scenario: 'http-load', measurement: 'requests_per_s' },
  { label: 'Non-streaming latency p99', scenario: 'http-load', measurement: 'latency_p99_ms' },
];

const CPU_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['gateway', 'gateway_cpu_us_per_event'],
  ['driver', 'driver_cpu_us_per_event'],
  ['driver, after the phase', 'driver_analysis_cpu_us_per_event'],
  ['upstream', 'upstream_cpu_us_per_event'],
  ['null proxy', 'proxy_cpu_us_per_event'],
  ['driver, direct phase', 'direct_driver_cpu_us_per_event'],
  ['upstream, direct phase', 'direct_upstream_cpu_us_per_event'],
  ['cores used, gateway phase', 'cores_used'],
  ['cores used, null-proxy phase', 'proxy_cores_used'],
];

/** Run-queue wait of each process in the gateway phase (and the null proxy in its own), as a share of the phase. */
const WAIT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['gateway', 'gateway_cpu_wait'],
  ['driver', 'driver_cpu_wait'],
  ['upstream', 'upstream_cpu_wait'],
  ['null proxy', 'proxy_cpu_wait'],
];

const SPLIT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['direct', 'direct_ttft_{p}_ms'],
  ['null proxy', 'proxy_ttft_{p}_ms'],
  ['gateway', 'ttft_{p}_ms'],
  ['added (gateway − direct)', 'added_ttft_{p}_ms'],
  ['one more hop (null proxy − direct)', 'added_hop_ttft_{p}_ms'],
  ['gateway itself (gateway − null proxy)', 'added_over_proxy_ttft_{p}_ms'],
];

/**
 * CPU per event of every process, the added-latency split against the null proxy, and the
 * calibration, for each scenario of the run that measured them (nothing is shown unmeasured).
 */
function perEventSection(summary: RunSummary): string[] {
  const cases = summary.scenarios.flatMap((s) => s.cases.map((c) => ({ scenario: s.name, c, m: c.measurements ?? [] })));
  const get = (m: readonly Measurement[], name: string) => m.find((x) => x.name === name);
  const cell = (x: Measurement | undefined) => (x ? `${fmt(x.value)}${x.ok === undefined ? '' : ` ${mark(x)}`}` : '—');
  const ci95 = (x: Measurement | undefined) => (x ? `±${fmt(x.value)}` : '—');
  const out: string[] = [];
  /** A section with one row per scenario that measured any of the columns. */
  const perScenarioTable = (
    title: string,
    intro: string,
    columns: ReadonlyArray<readonly [string, string]>,
    format: (x: Measurement | undefined) => string,
  ) => {
    const rows = cases.filter(({ m }) => columns.some(([, n]) => get(m, n)));
    if (rows.length === 0) return;
    out.push(
      '',
      `## ${title}`,
      '',
      intro,
      '',
      `| Scenario | ${columns.map(([label]) => label).join(' | ')} |`,
      `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    );
    for (const { scenario, m } of rows) out.push(`| ${scenario} | ${columns.map(([, n]) => format(get(m, n))).join(' | ')} |`);
  };
  perScenarioTable(
    'CPU per event',
    'Each process\'s CPU time (user + system) over the phase, divided by the events delivered to the driver in it, µs; "cores used" is all of them together over the phase\'s wall time (near the machine\'s core count, they queue for CPU). The gateway, the replay upstream and the null proxy each run in a process of their own; "driver, after the phase" is the driver\'s deferred work (decoding, golden comparison, histograms). Thresholds, where set, are marked.',
    CPU_COLUMNS,
    cell,
  );
  perScenarioTable(
    'Waiting for a core',
    "The share of the phase each process's main thread was ready to run but waited for a core (`/proc/<pid>/schedstat`): what the other processes on the machine, the run's own included, added to its latency. The gateway phase, and the null proxy in its own phase.",
    WAIT_COLUMNS,
    (x) => (x ? `${(x.value * 100).toFixed(1)}%` : '—'),
  );
  const split = cases.filter(({ m }) => get(m, 'proxy_ttft_p50_ms'));
  if (split.length) {
    out.push(
      '',
      '## Added TTFT: one more hop, and the gateway itself',
      '',
      'The same load straight at the replay upstream, through the null proxy (node:http, keep-alive agent, no parsing, its own process) and through the gateway, in alternating rounds of one run; ms.',
      '',
      `| Scenario | Percentile | ${SPLIT_COLUMNS.map(([label]) => label).join(' | ')} |`,
      `| --- | --- | ${SPLIT_COLUMNS.map(() => '---:').join(' | ')} |`,
    );
    for (const { scenario, m } of split) {
      for (const p of ['p50', 'p90', 'p99']) {
        out.push(`| ${scenario} | ${p} | ${SPLIT_COLUMNS.map(([, n]) => cell(get(m, n.replace('{p}', p)))).join(' | ')} |`);
      }
    }
  }
  const calibrated = cases.filter(({ c }) => c.checks.some((k) => k.name === 'calibration'));
  if (calibrated.length) {
    out.push(
      '',
      '## Calibration',
      '',
      "Before each benchmark, one phase through the null proxy, which holds every other request a known delay. Each held request is paired with the plain one launched next to it: the median of their TTFT differences (measured) must equal the delay as the proxy applied it (expected), within the scenario's tolerance, and precisely enough to tell (its 95% interval no wider than ± the tolerance); otherwise the run is invalid. A pair shares the load, the moment and the hop. ms.",
      '',
      '| Scenario | Delay applied, p50 | Measured | 95% interval | Expected | Off by | |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const { scenario, c, m } of calibrated) {
      const ok = c.checks.find((k) => k.name === 'calibration')!.ok;
      out.push(
        `| ${scenario} | ${cell(get(m, 'calibration_delay_applied_p50_ms'))} | ${cell(get(m, 'calibration_added_ttft_p50_ms'))} | ${ci95(get(m, 'calibration_ci95_ms'))} | ${cell(get(m, 'calibration_expected_ttft_p50_ms'))} | ${cell(get(m, 'calibration_error_ms'))} | ${ok ? '✅' : '❌ invalid'} |`,
      );
    }
  }
  return out;
}

export interface BenchmarksMdInput {
  summary: RunSummary;
  command: string;
  machine: MachineInfo;
  /** Load average when the run ended. */
  loadAfter: [number, number, number];
  reportDir: string;
  /** Hand-written analysis (Markdown), kept in a file of its own so a new run keeps it. */
  notes?: string;
}

function find(summary: RunSummary, scenario: string, measurement: string): Measurement | undefined {
  const s = summary.scenarios.find((x) => x.name === scenario);
  return s?.cases.flatMap((c) => c.measurements ?? []).find((m) => m.name === measurement);
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  if (abs >= 1) return v.toFixed(2).replace(/\.?0+$/, '');
  if (abs === 0) return '0';
  return v.toPrecision(3);
}

function ratioCells(m: Measurement): [string, string, string] {
  const t = m.target;
  if (!t || !m.threshold) return ['—', '—', '—'];
  const r = targetRatio(t, m.value);
  const h = headroom(t, m.value);
  const hText = h === null ? '—' : !Number.isFinite(h) ? '∞' : `${h >= 10 ? Math.round(h) : h.toFixed(2)}×`;
  return [m.threshold, r === null ? '—' : r.toPrecision(3), hText];
}

const mark = (m: Measurement) => (m.ok === undefined ? '' : m.ok ? '✅' : '❌');

export function renderBenchmarksMd(input: BenchmarksMdInput): string {
  const { summary, machine } = input;
  const out: string[] = [
    '# Benchmarks',
    '',
    `The last measured figures for every performance target, written by \`${input.command}\`. Do not edit by hand: run the command again.`,
    '',
    `- **Run:** \`${summary.runId}\`, ${summary.startedAt}, ${(summary.durationMs / 1000).toFixed(0)} s, ${summary.status === 'pass' ? 'every target held' : 'some targets missed (below)'}`,
    `- **Target:** ${summary.target}`,
    `- **Machine:** ${machine.cores} cores (\`nproc\`), ${machine.cpuModel} (\`/proc/cpuinfo\`), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node} (\`node -v\`)`,
    `- **Load average** (1/5/15 min) at start ${machine.load.map((l) => l.toFixed(2)).join(' / ')}, at end ${input.loadAfter.map((l) => l.toFixed(2)).join(' / ')}`,
    `- **Reports:** \`${input.reportDir}\` (summary.json, summary.md, junit.xml)`,
    '',
  ];
  if (machine.load[0] > 0.5 || input.loadAfter[0] > machine.cores) {
    out.push(
      `> The machine was shared with other work during this run (load average above, on ${machine.cores} cores), so latency tails and throughput are noisier than on an idle machine. Compare ratios measured in one run (added latency, parser vs parser), not absolute figures across runs.`,
      '',
    );
  }
  out.push(
    "## Users' targets",
    '',
    '"Measured / target" is the measured value divided by the target; "headroom" is how far past the target the reference gateway goes (target/measured for upper bounds, measured/target for lower bounds; — for zero-count targets).',
    '',
    '| Target | Measurement | Measured | Target | Measured / target | Headroom | |',
    '| --- | --- | ---: | --- | ---: | ---: | --- |',
  );
  for (const t of USER_TARGETS) {
    const m = find(summary, t.scenario, t.measurement);
    if (!m) {
      out.push(`| ${t.label} | \`${t.scenario}\` · \`${t.measurement}\` | not measured | | | | |`);
      continue;
    }
    const [target, ratio, head] = ratioCells(m);
    out.push(
      `| ${t.label} | \`${t.scenario}\` · \`${t.measurement}\` | ${fmt(m.value)} ${m.unit} | ${target} | ${ratio} | ${head} | ${mark(m)} |`,
    );
  }
  out.push(
    '',
    '## Every gated measurement',
    '',
    '| Scenario | Measurement | Measured | Target | Measured / target | |',
    '| --- | --- | ---: | --- | ---: | --- |',
  );
  for (const s of summary.scenarios) {
    for (const c of s.cases) {
      for (const m of c.measurements ?? []) {
        if (!m.threshold) continue;
        const [target, ratio] = ratioCells(m);
        out.push(`| ${s.name} | \`${m.name}\` | ${fmt(m.value)} ${m.unit} | ${target} | ${ratio} | ${mark(m)} |`);
      }
    }
  }
  out.push(...perEventSection(summary));
  out.push('', '## Context (not gated)', '', '| Figure | Measurement | Value |', '| --- | --- | ---: |');
  for (const t of CONTEXT) {
    const m = find(summary, t.scenario, t.measurement);
    if (m) out.push(`| ${t.label} | \`${t.scenario}\` · \`${t.measurement}\` | ${fmt(m.value)} ${m.unit} |`);
  }
  if (input.notes?.trim()) out.push('', input.notes.trim());
  const failed = summary.scenarios.flatMap((s) =>
    s.cases.flatMap((c) => c.checks.filter((k) => !k.ok).map((k) => `- **${s.name}** · \`${k.name}\`: ${k.message ?? 'failed'}`)),
  );
  if (failed.length) out.push('', '## What failed in this run', '', ...failed);
  out.push(
    '',
    '## How these are measured',
    '',
    '- **Processes.** The reference gateway, the replay upstream and the null proxy each run in their own Node process; the load driver (undici, one Pool sized to the load) runs in another. Two cores for all of them: the figures include that contention. During a phase the driver only stamps reads and counts bytes; decoding, golden comparison and histograms run after it.',
    '- **Time.** Every read is stamped with `process.hrtime.bigint()` as it arrives, before any parsing. Histograms are HDR in integer nanoseconds, 3 significant digits.',
    "- **Added latency.** The same open-loop schedule (Poisson arrivals; latency from each request's intended start) runs straight at the replay upstream and through the gateway, in alternating rounds (6 in the shipped set), merged per side; added_X_pN = gateway pN − direct pN. Percentiles of two distributions, not a distribution of differences.",
    '- **Driver health.** The driver watches its own event-loop delay and utilisation; a run where it saturates fails as invalid instead of blaming the gateway.',
    '- **Fidelity.** Every stream is compared byte for byte with its golden (generated streams: with the first stream, and every numbered token checked in order); mismatches are counted as lost, corrupted, reordered and extra frames.',
    '- **Memory.** The gateway process samples RSS, heap, pipeline bytes (`RunningGateway.bufferedBytes()`) and queued writes (`writableLength` of every open response) every 100 ms; the soak compares heap after a full GC at the end with heap after a full GC after warm-up.',
    '- **Micro-benchmarks.** tinybench, median iteration time. Provider memory: heap retained by 1,000 open normalizing pipelines fed all but the last read of a cassette, after a full GC.',
    '',
    'Definitions of every measurement: `src/checks/measurement-catalog.ts`; the scenarios: `scenarios/bench/`.',
    '',
  );
  return out.join('\n');
}
