// The console's benchmark figures: each gated measurement with its target and headroom.
import type { RunSummary } from '../checks/result.ts';
import { headroom } from '../checks/thresholds.ts';

/** One line per gated measurement: value, target, and how far past it (or short of it) it is. */
export function renderFigures(summary: RunSummary): string {
  const lines: string[] = [];
  for (const s of summary.scenarios) {
    for (const c of s.cases) {
      const gated = (c.measurements ?? []).filter((m) => m.threshold);
      if (!gated.length) continue;
      lines.push(`${c.name}`);
      for (const m of gated) {
        const h = m.target ? headroom(m.target, m.value) : null;
        const past =
          h === null ? '' : !Number.isFinite(h) ? '  (∞× headroom)' : `  (${h.toFixed(2)}× ${h >= 1 ? 'headroom' : 'of target'})`;
        lines.push(
          `  ${m.ok ? 'ok  ' : 'MISS'}  ${m.name.padEnd(32)} ${String(m.value).padStart(12)} ${m.unit.padEnd(9)} target ${m.threshold}${past}`,
        );
      }
    }
  }
  return lines.join('\n');
}
