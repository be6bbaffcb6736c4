// `streamproof compare` with known inputs: two constructed summary.json files whose figures
// improve, regress, stay, have no direction, or exist on one side only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SUMMARY_VERSION, type Measurement, type RunSummary } from '../../src/checks/result.ts';
import { compareSummaries, formatRelative, renderCompareHtml, renderCompareMarkdown } from '../../src/report/compare.ts';
import { runCli } from '../helpers/cli.ts';

function summary(runId: string, load: Measurement[], micro: Measurement[]): RunSummary {
  const scenario = (name: string, kind: string, measurements: Measurement[]) => ({
    name,
    file: `scenarios/bench/${name}.yaml`,
    kind,
    status: 'pass' as const,
    durationMs: 1,
    cases: [{ name: `${name} [normalize]`, status: 'pass' as const, durationMs: 1, checks: [], measurements }],
  });
  return {
    version: SUMMARY_VERSION,
    tool: { name: 'streamproof', version: '0.1.0' },
    runId,
    startedAt: '2026-12-01T00:00:00.000Z',
    durationMs: 1,
    target: 'reference gateway (in-process)',
    status: 'pass',
    totals: { scenarios: 2, cases: 2, passed: 2, failed: 0, skipped: 0 },
    scenarios: [scenario('added-latency', 'load', load), scenario('micro', 'micro', micro)],
  };
}

const m = (name: string, value: number, unit = 'ms'): Measurement => ({ name, value, unit });
const A = summary(
  'run-a',
  [m('ttft_p99_ms', 10), m('added_ttft_p99_ms', 2), m('tokens_per_s', 1000, '/s'), m('streams', 100, 'streams'), m('old_only_ms', 1)],
  [],
);
const B = summary(
  'run-b',
  [m('ttft_p99_ms', 12.5), m('added_ttft_p99_ms', 1.5), m('tokens_per_s', 1000, '/s'), m('streams', 120, 'streams')],
  [m('sse_parse_throughput', 50, 'MB/s')],
);

describe('compareSummaries', () => {
  const c = compareSummaries(A, B, ['a.json', 'b.json']);

  it('matches figures by scenario, case and name with the change and its direction', () => {
    const row = (name: string) => c.both.find((r) => r.measurement === name);
    expect(row('ttft_p99_ms')).toMatchObject({ a: 10, b: 12.5, change: 2.5, relative: 0.25, verdict: 'worse' });
    expect(row('added_ttft_p99_ms')).toMatchObject({ a: 2, b: 1.5, change: -0.5, relative: -0.25, verdict: 'better' });
    expect(row('tokens_per_s')).toMatchObject({ change: 0, relative: 0, verdict: 'same' });
    expect(row('streams')).toMatchObject({ change: 20, verdict: 'n/a' });
    expect(c.both).toHaveLength(4);
  });

  it('lists the figures only one side has', () => {
    expect(c.onlyA.map((f) => f.measurement)).toEqual(['old_only_ms']);
    expect(c.onlyB).toEqual([
      { scenario: 'micro', case: 'micro [normalize]', measurement: 'sse_parse_throughput', unit: 'MB/s', value: 50 },
    ]);
  });

  it('renders the same figures as Markdown and HTML', () => {
    const md = renderCompareMarkdown(c);
    expect(md).toContain('| `ttft_p99_ms` | 10 ms | 12.5 ms | +2.5 | +25.0% | 🔴 worse |');
    expect(md).toContain('| `added_ttft_p99_ms` | 2 ms | 1.5 ms | −0.5 | −25.0% | 🟢 better |');
    expect(md).toMatch(/### Only in A[\s\S]*old_only_ms/);
    expect(md).toMatch(/### Only in B[\s\S]*sse_parse_throughput/);
    const html = renderCompareHtml(c);
    expect(html).toContain('data-verdict="worse"');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('+25.0%');
  });

  it('shows a mean with its interval when the figure was repeated', () => {
    const a = summary('r', [{ ...m('ttft_p99_ms', 10), repeat: { n: 3, values: [9, 10, 11], stddev: 1, ciLow: 7.5, ciHigh: 12.5 } }], []);
    const md = renderCompareMarkdown(compareSummaries(a, B));
    expect(md).toContain('| `ttft_p99_ms` | 10 ± 2.5 ms | 12.5 ms |');
  });

  it('says n/a for a change from zero', () => {
    expect(formatRelative(null)).toBe('n/a');
    expect(formatRelative(0)).toBe('±0.0%');
  });
});

describe('streamproof compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-compare-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the Markdown and writes compare.md and compare.html', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify(A));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(B));
    const out = join(dir, 'out');
    const r = await runCli(['compare', join(dir, 'a.json'), join(dir, 'b.json'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+25.0%');
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toBe(
      renderCompareMarkdown(compareSummaries(A, B, [join(dir, 'a.json'), join(dir, 'b.json')])),
    );
    expect(readFileSync(join(out, 'compare.html'), 'utf8')).toContain('<h2>In both runs</h2>');
  });

  it('exits 2 on a file that is not a summary, and on a wrong number of files', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"x":1}');
    const bad = await runCli(['compare', join(dir, 'a.json'), join(dir, 'bad.json'), '--out', join(dir, 'o2')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json: not a streamproof summary.json');
    expect((await runCli(['compare', join(dir, 'a.json')])).code).toBe(2);
  });
});
