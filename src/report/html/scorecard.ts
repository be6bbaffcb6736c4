// The scorecard of an external target: provider × capability, each cell pass / fail / not routed,
// with the one-line score above it (the same data as summary.md's table).
import type { Scorecard, ScorecardCell } from '../../checks/result.ts';
import { esc } from './escape.ts';

const CELL_CLASS: Record<ScorecardCell, string> = { pass: 'pass', fail: 'fail', 'not routed': 'muted' };
const CELL_TEXT: Record<ScorecardCell, string> = { pass: '✓ pass', fail: '✗ fail', 'not routed': 'not routed' };

export function scorecardSection(scorecard: Scorecard): string {
  const head = `<tr><th>provider</th>${scorecard.capabilities.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = Object.entries(scorecard.rows).map(([provider, cells]) => {
    const tds = scorecard.capabilities.map((c) => {
      const cell = cells[c];
      return cell ? `<td class="${CELL_CLASS[cell]}">${CELL_TEXT[cell]}</td>` : '<td class="muted">–</td>';
    });
    return `<tr><th>${esc(provider)}</th>${tds.join('')}</tr>`;
  });
  return `<p>${esc(scorecard.line)}</p><table class="scorecard"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}
