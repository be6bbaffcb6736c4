// The scorecard of an external target: provider × capability, each cell pass, fail or not routed
// (the target never called the replay upstream for it). Capabilities come from what each
// cassette's reviewed expect block (and its injected fault) contains, never from a list kept by
// hand, so a new cassette scores itself.
import type { Cassette } from '../cassette/cassette.ts';
import type { CaseResult, RunSummary, Scorecard, ScorecardCell } from './result.ts';

/** Column order; fault families (`fault:<name>`) follow, sorted. */
export const CAPABILITIES = [
  'text',
  'tool calls',
  'parallel tool calls',
  'reasoning',
  'usage',
  'refusal / content filter',
  'mid-stream error',
  'error status',
  'non-streaming',
] as const;

/** What a cassette exercises, read from its expect block and response. */
export function cassetteCapabilities(c: Cassette): string[] {
  const e = c.expect;
  const caps: string[] = [];
  if (e.text !== '') caps.push('text');
  if (e.toolCalls.length >= 1) caps.push('tool calls');
  if (e.toolCalls.length >= 2) caps.push('parallel tool calls');
  if ((e.reasoning ?? '') !== '') caps.push('reasoning');
  if (e.usage !== undefined) caps.push('usage');
  if ((e.refusal ?? '') !== '' || e.finishReason === 'content_filter') caps.push('refusal / content filter');
  if (e.error !== undefined && e.status < 300) caps.push('mid-stream error');
  if (e.status >= 400) caps.push('error status');
  if (!c.streaming) caps.push('non-streaming');
  const fault = c.response.fault?.fault;
  if (fault !== undefined && fault !== 'none') caps.push(`fault:${fault}`);
  return caps;
}

/** A fault case's capabilities: each injected fault's family (`fault:<name>`), once. */
export function faultCapabilities(faults: readonly { fault: string }[]): string[] {
  return [...new Set(faults.filter((f) => f.fault !== 'none').map((f) => `fault:${f.fault}`))];
}

/** The scorecard of a run's cases that carry capabilities (parity, and fault cases against a --target); null when none does. */
export function buildScorecard(summary: RunSummary): Scorecard | null {
  const cases: CaseResult[] = summary.scenarios.flatMap((s) => s.cases).filter((c) => c.provider !== undefined && c.capabilities);
  if (cases.length === 0) return null;
  const rows: Record<string, Record<string, ScorecardCell>> = {};
  const seen = new Set<string>();
  for (const c of cases) {
    const row = (rows[c.provider!] ??= {});
    const cell: ScorecardCell = c.notRouted ? 'not routed' : c.status === 'pass' ? 'pass' : 'fail';
    for (const cap of c.capabilities!) {
      seen.add(cap);
      row[cap] = worse(row[cap], cell);
    }
  }
  const known = CAPABILITIES.filter((c) => seen.has(c));
  const faults = [...seen].filter((c) => !(CAPABILITIES as readonly string[]).includes(c)).sort();
  const cells = Object.values(rows).flatMap((r) => Object.values(r));
  const totals = {
    cells: cells.length,
    pass: cells.filter((c) => c === 'pass').length,
    fail: cells.filter((c) => c === 'fail').length,
    notRouted: cells.filter((c) => c === 'not routed').length,
  };
  const line = `scorecard: ${totals.pass}/${totals.cells} pass, ${totals.fail} fail, ${totals.notRouted} not routed`;
  return { capabilities: [...known, ...faults], rows, totals, line };
}

/** A cell several cases share: any failure fails it, then any case that was not routed marks it. */
function worse(a: ScorecardCell | undefined, b: ScorecardCell): ScorecardCell {
  const rank: Record<ScorecardCell, number> = { pass: 0, 'not routed': 1, fail: 2 };
  return a === undefined || rank[b] > rank[a] ? b : a;
}
