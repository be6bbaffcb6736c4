// Two runs side by side: every figure both summaries measured, matched by scenario, case and
// measurement name, with the change (absolute and relative) and whether it is for the better;
// figures only one side has are listed apart. Pure functions of the two summaries.
import { findMeasurementDef, type BenchKind } from '../checks/measurement-catalog.ts';
import type { Measurement, RunSummary } from '../checks/result.ts';
import { esc, num } from './html/escape.ts';
import { page, table } from './html/page.ts';
import { mdCode, mdText } from './markdown.ts';

export interface Figure {
  scenario: string;
  case: string;
  measurement: string;
  unit: string;
  value: number;
  /** 95% interval half-width when the figure is a mean of repeated runs. */
  ci?: number;
}

export interface ComparedFigure extends Omit<Figure, 'value' | 'ci'> {
  a: number;
  b: number;
  aCi?: number;
  bCi?: number;
  /** b − a. */
  change: number;
  /** (b − a) / |a| (null when a is 0). */
  relative: number | null;
  /** For the better, the worse, unchanged, or no direction (a count, a setting). */
  verdict: 'better' | 'worse' | 'same' | 'n/a';
}

export interface RunLabel {
  label: string;
  runId: string;
  target: string;
  startedAt: string;
}

export interface SummaryComparison {
  a: RunLabel;
  b: RunLabel;
  both: ComparedFigure[];
  onlyA: Figure[];
  onlyB: Figure[];
}

function figures(s: RunSummary): Map<string, Figure & { kind: string }> {
  const out = new Map<string, Figure & { kind: string }>();
  for (const sc of s.scenarios) {
    for (const c of sc.cases) {
      for (const m of c.measurements ?? []) {
        const f: Figure & { kind: string } = {
          scenario: sc.name,
          case: c.name,
          measurement: m.name,
          unit: m.unit,
          value: m.value,
          kind: sc.kind,
        };
        const ci = halfWidth(m);
        if (ci !== undefined) f.ci = ci;
        out.set(`${sc.name}\u0000${c.name}\u0000${m.name}`, f);
      }
    }
  }
  return out;
}

function halfWidth(m: Measurement): number | undefined {
  return m.repeat ? (m.repeat.ciHigh - m.repeat.ciLow) / 2 : undefined;
}

function label(s: RunSummary, file: string): RunLabel {
  return { label: file, runId: s.runId, target: s.target, startedAt: s.startedAt };
}

const strip = ({ kind: _kind, ...f }: Figure & { kind: string }): Figure => f;

export function compareSummaries(a: RunSummary, b: RunSummary, labels: [string, string] = ['A', 'B']): SummaryComparison {
  const fa = figures(a);
  const fb = figures(b);
  const both: ComparedFigure[] = [];
  for (const [key, x] of fa) {
    const y = fb.get(key);
    if (!y) continue;
    const change = y.value - x.value;
    const better = findMeasurementDef(x.measurement, x.kind as BenchKind)?.better ?? 'none';
    const verdict: ComparedFigure['verdict'] =
      better === 'none' ? 'n/a' : change === 0 ? 'same' : change < 0 === (better === 'lower') ? 'better' : 'worse';
    const row: ComparedFigure = {
      scenario: x.scenario,
      case: x.case,
      measurement: x.measurement,
      unit: x.unit,
      a: x.value,
      b: y.value,
      change: Number(change.toPrecision(12)),
      relative: x.value === 0 ? null : change / Math.abs(x.value),
      verdict,
    };
    if (x.ci !== undefined) row.aCi = x.ci;
    if (y.ci !== undefined) row.bCi = y.ci;
    both.push(row);
  }
  return {
    a: label(a, labels[0]),
    b: label(b, labels[1]),
    both,
    onlyA: [...fa.entries()].filter(([k]) => !fb.has(k)).map(([, f]) => strip(f)),
    onlyB: [...fb.entries()].filter(([k]) => !fa.has(k)).map(([, f]) => strip(f)),
  };
}

/** "+12.5%", "−3.0%", "n/a" (from 0). */
export function formatRelative(r: number | null): string {
  if (r === null) return 'n/a';
  const pct = r * 100;
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct).toFixed(1)}%`;
}

function signed(v: number): string {
  return v > 0 ? `+${num(v)}` : v < 0 ? `−${num(-v)}` : '0';
}

function withCi(v: number, ci: number | undefined): string {
  return ci === undefined ? num(v) : `${num(v)} ± ${num(ci)}`;
}

const ICON: Record<ComparedFigure['verdict'], string> = { better: '🟢 better', worse: '🔴 worse', same: 'same', 'n/a': '' };

/** Groups rows by scenario + case, in the order they came. */
function groups<T extends { scenario: string; case: string }>(rows: readonly T[]): Array<[string, T[]]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = `${r.scenario} · ${r.case}`;
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return [...out];
}

function counts(c: SummaryComparison): string {
  const n = (v: ComparedFigure['verdict']) => c.both.filter((r) => r.verdict === v).length;
  return `${c.both.length} figures in both runs (${n('better')} better, ${n('worse')} worse, ${n('same')} unchanged, ${n('n/a')} without a direction); ${c.onlyA.length} only in A, ${c.onlyB.length} only in B`;
}

export function renderCompareMarkdown(c: SummaryComparison): string {
  const lines = [
    '## streamproof compare',
    '',
    `- **A:** ${mdCode(c.a.label)} · run ${mdCode(c.a.runId)} · ${mdText(c.a.target)} · ${mdText(c.a.startedAt)}`,
    `- **B:** ${mdCode(c.b.label)} · run ${mdCode(c.b.runId)} · ${mdText(c.b.target)} · ${mdText(c.b.startedAt)}`,
    '',
    counts(c),
    '',
  ];
  for (const [group, rows] of groups(c.both)) {
    lines.push(`### ${mdText(group)}`, '', '| Measurement | A | B | Change | % | |', '| --- | ---: | ---: | ---: | ---: | --- |');
    for (const r of rows)
      lines.push(
        `| ${mdCode(r.measurement, true)} | ${withCi(r.a, r.aCi)} ${mdText(r.unit)} | ${withCi(r.b, r.bCi)} ${mdText(r.unit)} | ${signed(r.change)} | ${formatRelative(r.relative)} | ${ICON[r.verdict]} |`,
      );
    lines.push('');
  }
  for (const [title, only] of [
    ['Only in A', c.onlyA],
    ['Only in B', c.onlyB],
  ] as const) {
    if (!only.length) continue;
    lines.push(`### ${title}`, '', '| Scenario · case | Measurement | Value |', '| --- | --- | ---: |');
    for (const f of only)
      lines.push(
        `| ${mdText(`${f.scenario} · ${f.case}`)} | ${mdCode(f.measurement, true)} | ${withCi(f.value, f.ci)} ${mdText(f.unit)} |`,
      );
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

export function renderCompareHtml(c: SummaryComparison): string {
  const runs = table(
    ['', 'File', 'Run', 'Target', 'Started'],
    (['a', 'b'] as const).map((k) => [
      `<th>${k.toUpperCase()}</th>`,
      `<td><code>${esc(c[k].label)}</code></td>`,
      `<td>${esc(c[k].runId)}</td>`,
      `<td>${esc(c[k].target)}</td>`,
      `<td>${esc(c[k].startedAt)}</td>`,
    ]),
  );
  const cls = { better: 'pass', worse: 'fail', same: 'muted', 'n/a': 'muted' } as const;
  const both = groups(c.both)
    .map(
      ([group, rows]) =>
        `<h3>${esc(group)}</h3>${table(
          ['Measurement', 'A', 'B', 'Change', '%', ''],
          rows.map((r) => [
            `<td><code>${esc(r.measurement)}</code></td>`,
            `<td class="n">${esc(withCi(r.a, r.aCi))} ${esc(r.unit)}</td>`,
            `<td class="n">${esc(withCi(r.b, r.bCi))} ${esc(r.unit)}</td>`,
            `<td class="n">${esc(signed(r.change))}</td>`,
            `<td class="n">${esc(formatRelative(r.relative))}</td>`,
            `<td class="${cls[r.verdict]}" data-verdict="${r.verdict}">${esc(r.verdict === 'n/a' ? '' : r.verdict)}</td>`,
          ]),
        )}`,
    )
    .join('');
  const only = (rows: readonly Figure[]) =>
    table(
      ['Scenario · case', 'Measurement', 'Value'],
      rows.map((f) => [
        `<td>${esc(`${f.scenario} · ${f.case}`)}</td>`,
        `<td><code>${esc(f.measurement)}</code></td>`,
        `<td class="n">${esc(withCi(f.value, f.ci))} ${esc(f.unit)}</td>`,
      ]),
    );
  const sections = [
    { id: 'runs', title: 'Runs', html: `${runs}<p>${esc(counts(c))}</p>` },
    {
      id: 'both',
      title: 'In both runs',
      html: both || '<p class="muted">No figure is in both runs (different scenario or case names?).</p>',
    },
  ];
  if (c.onlyA.length) sections.push({ id: 'only-a', title: 'Only in A', html: only(c.onlyA) });
  if (c.onlyB.length) sections.push({ id: 'only-b', title: 'Only in B', html: only(c.onlyB) });
  return page({ title: 'streamproof compare', subtitle: `A: ${c.a.label} · B: ${c.b.label}`, sections });
}
