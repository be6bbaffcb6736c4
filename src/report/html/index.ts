// report.html: one self-contained page per run, a pure function of the RunSummary. Sections appear
// when the run has something for them: load distributions, parity cases, the fault matrix, the
// scorecard, other benchmark figures, and always the run's metadata.
import type { RunSummary } from '../../checks/result.ts';
import { benchmarkSection } from './benchmarks.ts';
import { faultSection } from './faults.ts';
import { loadSection } from './load.ts';
import { metaSection } from './meta.ts';
import { page, type Section } from './page.ts';
import { paritySection } from './parity.ts';
import { scorecardSection } from './scorecard.ts';
import { isSweep, sweepSection } from './sweep.ts';

export function renderHtml(summary: RunSummary): string {
  const sections: Section[] = [{ id: 'run', title: 'Run', html: metaSection(summary) }];
  const of = (kind: string) => summary.scenarios.filter((s) => s.kind === kind);
  if (summary.scorecard) sections.push({ id: 'scorecard', title: 'Scorecard', html: scorecardSection(summary.scorecard) });
  if (summary.scenarios.some((s) => s.cases.some((c) => c.load)))
    sections.push({ id: 'load', title: 'Load', html: loadSection(summary.scenarios) });
  if (of('parity').length) sections.push({ id: 'parity', title: 'Parity', html: paritySection(of('parity')) });
  if (of('fault').length) sections.push({ id: 'faults', title: 'Fault matrix', html: faultSection(of('fault')) });
  if (summary.scenarios.some(isSweep)) sections.push({ id: 'sweeps', title: 'Sweeps', html: sweepSection(summary.scenarios) });
  const others = summary.scenarios.filter((s) => s.cases.some((c) => c.measurements?.length && !c.load));
  if (others.length) sections.push({ id: 'benchmarks', title: 'Other benchmarks', html: benchmarkSection(others) });
  const t = summary.totals;
  return page({
    title: `streamproof ${summary.runId}`,
    subtitle: `${summary.target} · ${t.passed}/${t.cases} cases passed · ${summary.startedAt}`,
    status: summary.status,
    sections,
  });
}
