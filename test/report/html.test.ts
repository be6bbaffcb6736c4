// report.html's pieces with known inputs: axis ticks, latency labels, the exported distribution of
// a histogram with known values, the golden diff excerpt, and that untrusted text stays text.
import { describe, expect, it } from 'vitest';
import { diffExcerpt } from '../../src/checks/golden.ts';
import { SUMMARY_VERSION, type RunSummary } from '../../src/checks/result.ts';
import { latencyDistribution } from '../../src/load/distribution.ts';
import { createHistogram, recordNs } from '../../src/load/histogram.ts';
import { renderHtml } from '../../src/report/html/index.ts';
import { at } from '../../src/report/html/load.ts';
import { formatMs, lineChart, linearTicks, logTicks } from '../../src/report/html/svg.ts';
import { failingSummary } from './fixture.ts';

describe('axes', () => {
  it('puts linear ticks on 1-2-5 steps and log ticks on decades (with 2 and 5 over a short range)', () => {
    expect(linearTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(linearTicks(0, 7)).toEqual([0, 2, 4, 6, 8]); // up to the first tick at or above the top
    expect(logTicks(0.001, 1000)).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000]);
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('labels latencies in µs, ms and s, negative ones too', () => {
    expect(formatMs(0.25)).toBe('250 µs');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(2500)).toBe('2.5 s');
    expect(formatMs(-0.5)).toBe('-500 µs');
    expect(formatMs(0)).toBe('0');
  });

  it('breaks a line at NaN and draws nothing below zero on a log axis', () => {
    const svg = lineChart({
      kind: 'k',
      title: 't',
      x: { label: 'x', log: true },
      y: { label: 'y' },
      series: [
        {
          label: 's',
          color: '#000',
          points: [
            [0, 1],
            [1, 1],
            [10, 2],
            [20, Number.NaN],
            [100, 3],
          ],
        },
      ],
    });
    const d = /<path class="series" d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2); // two runs of points: [1, 10] and [100]
    expect(d.match(/L/g)).toHaveLength(1);
  });
});

describe('latencyDistribution', () => {
  it('exports percentiles and log-grid bins of a histogram with known values', () => {
    const h = createHistogram();
    for (let i = 0; i < 90; i++) recordNs(h, 2e6); // 90 × 2 ms
    for (let i = 0; i < 10; i++) recordNs(h, 20e6); // 10 × 20 ms
    recordNs(h, 0); // one gap of 0 (two events in one read)
    const d = latencyDistribution(h);
    expect(d.count).toBe(101);
    expect(d.zeros).toBe(1);
    expect(at(d, 50)).toBeCloseTo(2, 2);
    expect(at(d, 99)).toBeCloseTo(20, 1);
    expect(d.percentiles[d.percentiles.length - 1]![0]).toBe(100);
    expect(d.percentiles.length).toBeGreaterThanOrEqual(50);
    // 2 ms falls in [10^0.3, 10^0.4) ms, 20 ms in [10^1.3, 10^1.4) ms.
    expect(d.bins).toEqual([
      [1.995262, 2.511886, 90],
      [19.952623, 25.118864, 10],
    ]);
  });

  it('is empty for an empty histogram', () => {
    expect(latencyDistribution(createHistogram())).toEqual({ count: 0, percentiles: [], bins: [] });
  });
});

describe('diffExcerpt', () => {
  it('gives the common part from an event boundary and both sides from the first differing byte', () => {
    const head = `data: ${'x'.repeat(1300)}\n\n`;
    const expected = Buffer.from(`${head}data: {"a":1}\n\ndata: [DONE]\n\n`);
    const actual = Buffer.from(`${head}data: {"a":2}\n\n`);
    const offset = head.length + 11;
    const d = diffExcerpt(expected, actual, offset);
    expect(d.offset).toBe(offset);
    expect(d.from).toBe(head.length);
    expect(d.common).toBe('data: {"a":');
    expect(d.expected).toBe('1}\n\ndata: [DONE]\n\n');
    expect(d.actual).toBe('2}\n\n');
    expect(d.expectedBytes).toBe(expected.length);
  });
});

describe('renderHtml', () => {
  it('keeps untrusted text as text and loads nothing', () => {
    const summary: RunSummary = failingSummary();
    summary.scenarios[0]!.kind = 'parity';
    const failed = summary.scenarios[0]!.cases[1]!.checks[0]!;
    failed.diff = {
      offset: 5,
      from: 0,
      common: 'data:',
      expected: '<script>alert(1)</script>',
      actual: ' "x"',
      expectedBytes: 30,
      actualBytes: 9,
    };
    const html = renderHtml(summary);
    expect(html).not.toContain('<script');
    expect(html).toContain('<mark>&lt;</mark><span class="after">script&gt;alert(1)&lt;/script&gt;</span>');
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<mark>&lt;</mark>');
    expect(html).toContain('<mark>·</mark>');
  });

  it('renders the scorecard as provider × capability with its score line', () => {
    const summary: RunSummary = {
      ...failingSummary(),
      version: SUMMARY_VERSION,
      scorecard: {
        capabilities: ['text', 'tool calls'],
        rows: { openai: { text: 'pass', 'tool calls': 'fail' }, gemini: { text: 'not routed' } },
        totals: { cells: 3, pass: 1, fail: 1, notRouted: 1 },
        line: 'scorecard: 1/3 pass, 1 fail, 1 not routed',
      },
    };
    const html = renderHtml(summary);
    expect(html).toContain('id="scorecard"');
    expect(html).toContain('scorecard: 1/3 pass, 1 fail, 1 not routed');
    expect(html).toContain('<tr><th>openai</th><td class="pass">✓ pass</td><td class="fail">✗ fail</td></tr>');
    expect(html).toContain('<tr><th>gemini</th><td class="muted">not routed</td><td class="muted">–</td></tr>');
  });

  it('draws a sweep as latency against load, one point per step, with the knee', () => {
    const step = (rate: number, ttft: number) => ({
      name: `sw [normalize] step: ${rate} req/s`,
      file: 'sw.yaml',
      status: 'pass' as const,
      durationMs: 1,
      checks: [],
      measurements: [
        { name: 'step_rate', value: rate, unit: 'req/s' },
        { name: 'ttft_p50_ms', value: ttft, unit: 'ms' },
        { name: 'ttft_p99_ms', value: ttft * 3, unit: 'ms' },
        { name: 'e2e_p50_ms', value: ttft * 10, unit: 'ms' },
        { name: 'e2e_p99_ms', value: ttft * 30, unit: 'ms' },
      ],
    });
    const base = failingSummary();
    const summary: RunSummary = {
      ...base,
      scenarios: [
        {
          name: 'sw',
          file: 'sw.yaml',
          kind: 'load',
          status: 'pass',
          durationMs: 3,
          cases: [
            step(10, 2),
            step(20, 4),
            step(40, 90),
            {
              name: 'sw [normalize] knee',
              file: 'sw.yaml',
              status: 'pass',
              durationMs: 1,
              checks: [{ name: 'knee', ok: true, message: 'knee 20 req/s: the highest step before saturation at 40 req/s' }],
              measurements: [{ name: 'knee_rate', value: 20, unit: 'req/s' }],
            },
          ],
        },
      ],
    };
    const html = renderHtml(summary);
    expect(html).toContain('id="sweeps"');
    expect(html).toContain('knee 20 req/s: the highest step before saturation at 40 req/s');
    const chart = /<svg[^>]*data-chart="sweep"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(chart).toContain('load (req/s)');
    // Four curves (TTFT and E2E, p50 and p99), each through the three steps.
    const paths = [...chart.matchAll(/<path class="series" d="([^"]*)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(4);
    for (const d of paths) expect(d.match(/[ML]/g)).toHaveLength(3);
    // Not a sweep: no section.
    expect(renderHtml(failingSummary())).not.toContain('id="sweeps"');
  });
});
