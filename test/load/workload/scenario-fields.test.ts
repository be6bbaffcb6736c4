// The workload, slo and sweep fields through the scenario loader: a bad value is exit 2 naming
// the scenario file and the line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/base/errors.ts';
import { loadScenario } from '../../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamproof-workload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `kind: load
name: shaped
synthetic: { tokens: 10 }
duration: { seconds: 5, requests: 100 }
`;

function load(body: string) {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, HEAD + body);
  return { file, run: () => loadScenario(file) };
}

describe('scenario fields: workload, slo, sweep', () => {
  it('accepts a shaped workload, an SLO and a sweep', () => {
    const { run } = load(`load:
  model: sweep
  over: rate
  from: 5
  to: 40
  factor: 2
  stepSeconds: 2
  stopWhen: { ttft_p99_ms: "> 500", errors: "> 1%" }
slo: { ttft_ms: 500, itl_ms: 50, e2e_ms: 10000 }
workload:
  promptTokens: { type: lognormal, median: 200, sigma: 0.6, max: 4000 }
  outputTokens: { type: empirical, values: [50, 200, 800], weights: [5, 3, 1] }
  turns: { type: uniform, min: 1, max: 4 }
  timing:
    ttftMs: { type: normal, mean: 300, stddev: 80 }
    itlMs: 20
    jitter: 0.2
    stalls: { probability: 0.01, ms: { type: fixed, value: 1500 } }
`);
    const s = run().scenario as { load: { model: string }; slo: unknown; workload: { timing: { seed: number } } };
    expect(s.load.model).toBe('sweep');
    expect(s.slo).toEqual({ ttft_ms: 500, itl_ms: 50, e2e_ms: 10000, itl_statistic: 'p95' });
    expect(s.workload.timing.seed).toBe(1);
  });

  const bad: Array<[string, number, RegExp]> = [
    ['load: { model: closed, concurrency: 1 }\nslo:\n  ttft_ms: 0\n', 7, /slo\.ttft_ms: Too small/],
    [
      'load: { model: closed, concurrency: 1 }\nworkload:\n  outputTokens: { type: lognormal, median: 100, sigma: 9 }\n',
      7,
      /workload\.outputTokens\.sigma/,
    ],
    [
      'load: { model: closed, concurrency: 1 }\nworkload:\n  timing:\n    ttftMs: 100\n    itlMs: { type: uniform, min: 30, max: 10 }\n',
      9,
      /workload\.timing\.itlMs\.max: uniform: max must be at least min/,
    ],
    [
      'load: { model: closed, concurrency: 1 }\nworkload:\n  timing:\n    ttftMs: 100\n    itlMs: 10\n    stalls: { probability: 2, ms: 10 }\n',
      10,
      /workload\.timing\.stalls\.probability/,
    ],
    [
      'load: { model: closed, concurrency: 1 }\nworkload:\n  dataset: d.jsonl\n  promptTokens: 5\n',
      8,
      /workload\.promptTokens: workload: a dataset brings its own prompts/,
    ],
    [
      'load:\n  model: sweep\n  over: concurrency\n  from: 1\n  to: 8\n  steps: 4\n  stopWhen:\n    errors: "> one"\n',
      12,
      /load\.stopWhen\.errors/,
    ],
  ];
  for (const [body, line, message] of bad) {
    it(`rejects ${message.source.slice(0, 60)} at its line`, () => {
      const { file, run } = load(body);
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as InputError).file).toBe(file);
      expect((err as InputError).line).toBe(line);
      expect((err as InputError).problem).toMatch(message);
    });
  }
});
