// The scorecard: capabilities read from each cassette's expect block, cells aggregated per
// provider (any failure fails a cell; any case that was not routed marks it), one score line.
import { describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import { buildScorecard, cassetteCapabilities, faultCapabilities } from '../../src/checks/scorecard.ts';
import type { CaseResult, RunSummary } from '../../src/checks/result.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const caps = (f: string) => cassetteCapabilities(loadCassette(`${REPO_ROOT}/fixtures/${f}.yaml`));

function summary(cases: Partial<CaseResult>[]): RunSummary {
  const full = cases.map((c, i) => ({ name: `c${i}`, status: 'pass', durationMs: 1, checks: [], ...c }) as CaseResult);
  return {
    version: 1,
    tool: { name: 'streamproof', version: '0' },
    runId: 'r',
    startedAt: '',
    durationMs: 0,
    target: 't',
    status: 'pass',
    totals: { scenarios: 1, cases: full.length, passed: 0, failed: 0, skipped: 0 },
    scenarios: [{ name: 's', file: 'f', kind: 'parity', status: 'pass', durationMs: 0, cases: full }],
  };
}

describe('scorecard', () => {
  it('derives capabilities from what each cassette expects', () => {
    expect(caps('openai/text-usage')).toEqual(['text', 'usage']);
    expect(caps('openai/parallel-tool-calls')).toEqual(['tool calls', 'parallel tool calls', 'usage']);
    expect(caps('openai/refusal')).toEqual(['usage', 'refusal / content filter']);
    expect(caps('azure/content-filter')).toContain('refusal / content filter');
    expect(caps('openai/mid-stream-error')).toEqual(['text', 'mid-stream error']);
    expect(caps('xai/reasoning')).toContain('reasoning');
    expect(caps('openai/non-stream')).toContain('non-streaming');
    expect(faultCapabilities([{ fault: 'status' }, { fault: 'none' }, { fault: 'status' }, { fault: 'reset-mid-stream' }])).toEqual([
      'fault:status',
      'fault:reset-mid-stream',
    ]);
  });

  it('aggregates cells per provider and counts them in one line', () => {
    const card = buildScorecard(
      summary([
        { provider: 'openai', capabilities: ['text', 'usage'] },
        { provider: 'openai', capabilities: ['text', 'tool calls'], status: 'fail' },
        { provider: 'azure', capabilities: ['text'], status: 'fail', notRouted: true },
        { provider: 'azure', capabilities: ['usage'] },
        { provider: 'xai', capabilities: ['fault:status'], status: 'fail' },
      ]),
    )!;
    expect(card.capabilities).toEqual(['text', 'tool calls', 'usage', 'fault:status']);
    expect(card.rows).toEqual({
      openai: { text: 'fail', usage: 'pass', 'tool calls': 'fail' },
      azure: { text: 'not routed', usage: 'pass' },
      xai: { 'fault:status': 'fail' },
    });
    expect(card.line).toBe('scorecard: 2/6 pass, 3 fail, 1 not routed');
    expect(buildScorecard(summary([{ name: 'bench' }]))).toBeNull();
  });
});
