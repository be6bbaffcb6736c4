// SLOs, shaped workloads and sweeps end to end through the CLI, with small counts: the reference
// gateway and a timed generated upstream in their own processes. Figures asserted are the ones a
// schedule makes certain (a TTFT can never beat the model's fixed 60 ms), never a speed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult, RunSummary } from '../../../src/checks/result.ts';
import { runCli } from '../../helpers/cli.ts';

const RELAXED = 'driver: { maxEventLoopDelayP99Ms: 5000, maxEventLoopUtilization: 1 }\n';
const TIMED = `synthetic: { tokens: 4 }
workload:
  timing: { ttftMs: 60, itlMs: { type: uniform, min: 1, max: 3 } }
`;

async function run(files: Record<string, string>): Promise<{ code: number; stdout: string; cases: CaseResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-workload-run-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const reports = join(dir, 'reports');
  const paths = Object.keys(files)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f));
  const r = await runCli(['run', ...paths, '--report-dir', reports]);
  let cases: CaseResult[] = [];
  try {
    cases = (JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary).scenarios.flatMap((s) => s.cases);
  } catch {
    // no summary (bad input)
  }
  return { code: r.code, stdout: r.stdout + r.stderr, cases };
}

const figures = (c: CaseResult) => new Map((c.measurements ?? []).map((m) => [m.name, m.value]));

describe('SLOs, workloads and sweeps through the CLI', () => {
  it('classifies every stream against the SLO: goodput, attainment and per-objective misses', async () => {
    const r = await run({
      'strict.yaml': `kind: load\nname: strict\n${TIMED}load: { model: closed, concurrency: 3 }\nduration: { seconds: 20, requests: 12 }\n${RELAXED}slo: { ttft_ms: 5, e2e_ms: 60000 }\nthresholds:\n  slo_missed_ttft: "== 12"\n`,
    });
    expect(r.code, r.stdout).toBe(0);
    const m = figures(r.cases[0]!);
    // No stream beats the model's 60 ms TTFT, and none takes a minute.
    expect(m.get('ttft_p50_ms')).toBeGreaterThanOrEqual(60);
    expect(m.get('slo_attainment')).toBe(0);
    expect(m.get('goodput_rps')).toBe(0);
    expect(m.get('slo_missed_ttft')).toBe(12);
    expect(m.get('slo_missed_e2e')).toBe(0);
  }, 120_000);

  it('sends a dataset as a shaped workload: each answer as long as its row asks, every token in order', async () => {
    const rows = [
      '{"messages":[{"role":"user","content":"one"}],"output_tokens":3}',
      '{"messages":[{"role":"system","content":"s"},{"role":"user","content":"two"}],"max_tokens":9}',
      '{"messages":[{"role":"user","content":"three"}]}',
    ];
    const r = await run({
      'prompts.jsonl': `${rows.join('\n')}\n`,
      'shaped.yaml': `kind: load\nname: shaped\nsynthetic: { tokens: 5 }\nload: { model: closed, concurrency: 2 }\nduration: { seconds: 20, requests: 9 }\n${RELAXED}workload:\n  dataset: prompts.jsonl\n  turns: 2\n  outputTokens: 4\nthresholds:\n  errors: "== 0"\n  lost_frames: "== 0"\n  mismatched_streams: "== 0"\n`,
    });
    expect(r.code, r.stdout).toBe(0);
    const m = figures(r.cases[0]!);
    expect(m.get('streams')).toBe(9);
    expect(m.get('tokens_per_s')! > 0).toBe(true);
  }, 120_000);

  it('a bad dataset line is exit 2 naming the file and line', async () => {
    const r = await run({
      'bad.jsonl': '{"messages":[{"role":"user","content":"ok"}]}\n{"messages":"nope"}\n',
      'bad.yaml': `kind: load\nname: bad\nsynthetic: { tokens: 5 }\nload: { model: closed, concurrency: 1 }\nduration: { seconds: 5, requests: 2 }\nworkload: { dataset: bad.jsonl }\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/bad\.jsonl:2: messages: Invalid input/);
  }, 60_000);

  it('a sweep runs its steps, each a case, and reports the knee with the figures of the knee step', async () => {
    const sweep = (stop: string) =>
      `${TIMED}load:\n  model: sweep\n  over: concurrency\n  from: 1\n  to: 4\n  factor: 2\n  stepSeconds: 1\n  stopWhen: { ${stop} }\nduration: { seconds: 60, requests: 100000 }\n${RELAXED}`;
    const r = await run({ 'never.yaml': `kind: load\nname: never\n${sweep('errors: "> 50%"')}thresholds:\n  knee_concurrency: "== 4"\n` });
    expect(r.code, r.stdout).toBe(0);
    expect(r.cases.map((c) => c.name)).toEqual([
      'never [normalize] step 1: 1 streams',
      'never [normalize] step 2: 2 streams',
      'never [normalize] step 3: 4 streams',
      'never [normalize] knee',
    ]);
    expect(r.cases.slice(0, 3).map((c) => figures(c).get('step_concurrency'))).toEqual([1, 2, 4]);
    const knee = figures(r.cases[3]!);
    expect(knee.get('knee_concurrency')).toBe(4);
    expect(knee.get('sweep_steps')).toBe(3);
    expect(knee.get('ttft_p50_ms')).toBeGreaterThanOrEqual(60); // the knee step's figures
    expect(r.cases[3]!.checks.find((c) => c.name === 'knee')!.message).toMatch(
      /knee at least 4 streams: the last step \(4 streams\) had not saturated/,
    );
  }, 120_000);
});
