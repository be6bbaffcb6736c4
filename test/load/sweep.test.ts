import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseYamlText } from '../../src/base/yaml-input.ts';
import {
  findKnee,
  judgeStep,
  parseStopCondition,
  planSteps,
  stopConditions,
  sweepModelSchema,
  type StopCondition,
} from '../../src/load/sweep.ts';

describe('sweep planner', () => {
  it('evenly spaced steps include both ends', () => {
    expect(planSteps({ over: 'rate', from: 10, to: 50, steps: 5 })).toEqual([10, 20, 30, 40, 50]);
    expect(planSteps({ over: 'rate', from: 1, to: 2, steps: 4 })).toEqual([1, 1.33333, 1.66667, 2]);
    expect(planSteps({ over: 'rate', from: 7, to: 7, steps: 1 })).toEqual([7]);
  });

  it('geometric steps go up to `to`, included when reached', () => {
    expect(planSteps({ over: 'rate', from: 10, to: 80, factor: 2 })).toEqual([10, 20, 40, 80]);
    expect(planSteps({ over: 'rate', from: 10, to: 100, factor: 2 })).toEqual([10, 20, 40, 80]);
    expect(planSteps({ over: 'concurrency', from: 1, to: 10, factor: 1.5 })).toEqual([1, 2, 3, 5, 8]);
  });

  it('concurrency steps are whole and distinct', () => {
    expect(planSteps({ over: 'concurrency', from: 1, to: 3, steps: 5 })).toEqual([1, 2, 3]);
  });
});

describe('stop conditions and the knee', () => {
  const conds = stopConditions({ stopWhen: { ttft_p99_ms: '> 500', errors: '> 1%' } });

  it('parses plain and percentage conditions with the threshold syntax', () => {
    expect(parseStopCondition('errors', '> 1%')).toMatchObject({ op: '>', value: 1, percent: true, text: '> 1%' });
    expect(parseStopCondition('ttft_p99_ms', '>= 500')).toMatchObject({ op: '>=', value: 500, percent: false });
    expect(parseStopCondition('errors', 'lots')).toMatch(/stopWhen errors: "lots" is not/);
  });

  it('a step triggers a condition on its measurement, or on a count as a percentage of its streams', () => {
    const step = (ttft: number, errors: number, streams = 1000) => ({ value: 1, streams, measurements: { ttft_p99_ms: ttft, errors } });
    expect(judgeStep(conds, step(499, 10)).triggered).toEqual([]);
    expect(judgeStep(conds, step(501, 10)).triggered).toEqual(['ttft_p99_ms > 500 (measured 501)']);
    expect(judgeStep(conds, step(100, 11)).triggered).toEqual(['errors > 1% (measured 1.1%)']);
    expect(judgeStep(conds, { value: 1, streams: 10, measurements: { errors: 0 } })).toEqual({ triggered: [], missing: ['ttft_p99_ms'] });
  });

  it('the knee is the last step before the first saturated one', () => {
    const ok = { triggered: [], missing: [] };
    const bad = { triggered: ['x'], missing: [] };
    expect(
      findKnee([
        { value: 10, verdict: ok },
        { value: 20, verdict: ok },
        { value: 40, verdict: bad },
        { value: 80, verdict: ok },
      ]),
    ).toEqual({
      knee: 20,
      saturatedAt: 40,
    });
    expect(findKnee([{ value: 10, verdict: bad }])).toEqual({ knee: null, saturatedAt: 10 });
    expect(
      findKnee([
        { value: 10, verdict: ok },
        { value: 20, verdict: ok },
      ]),
    ).toEqual({ knee: 20, saturatedAt: null });
  });

  it('end to end on known figures: latency rising with load', () => {
    const p99At = (rate: number) => 50 + (rate > 60 ? (rate - 60) * 40 : 0);
    const steps = planSteps({ over: 'rate', from: 20, to: 200, steps: 10 }).map((value) => ({
      value,
      verdict: judgeStep(conds as StopCondition[], { value, streams: value * 10, measurements: { ttft_p99_ms: p99At(value), errors: 0 } }),
    }));
    expect(findKnee(steps)).toEqual({ knee: 60, saturatedAt: 80 });
  });
});

describe('sweep schema', () => {
  const schema = z.object({ name: z.string(), load: sweepModelSchema }).strict();
  const load = (body: string) => parseYamlText('s.yaml', `name: x\nload:\n  model: sweep\n${body}`, schema);

  it('accepts a sweep with defaults', () => {
    expect(
      load('  over: rate\n  from: 10\n  to: 80\n  factor: 2\n  stopWhen: { ttft_p99_ms: "> 500", errors: "> 1%" }').value.load,
    ).toMatchObject({
      stepSeconds: 10,
      arrival: 'constant',
      factor: 2,
    });
  });

  it('rejects bad sweeps naming the line', () => {
    const bad: Array<[string, RegExp]> = [
      [
        '  over: rate\n  from: 10\n  to: 5\n  steps: 2\n  stopWhen: { errors: "> 0" }',
        /s\.yaml:6: load\.to: sweep: to \(5\) is below from/,
      ],
      ['  over: rate\n  from: 1\n  to: 5\n  stopWhen: { errors: "> 0" }', /load\.steps: sweep: give exactly one of steps/],
      ['  over: rate\n  from: 1\n  to: 5\n  steps: 2\n  factor: 2\n  stopWhen: { errors: "> 0" }', /give exactly one/],
      ['  over: load\n  from: 1\n  to: 5\n  steps: 2\n  stopWhen: { errors: "> 0" }', /s\.yaml:4: load\.over/],
      [
        '  over: rate\n  from: 1\n  to: 5\n  steps: 2\n  stopWhen:\n    errors: "more than 1%"',
        /s\.yaml:9: load\.stopWhen\.errors: stopWhen errors/,
      ],
      [
        '  over: rate\n  from: 1\n  to: 5\n  steps: 2\n  stopWhen:\n    ttft_p42_ms: "> 1"',
        /load\.stopWhen\.ttft_p42_ms: stopWhen: a load step measures no/,
      ],
      ['  over: rate\n  from: 1\n  to: 5\n  steps: 2\n  stopWhen: {}', /stopWhen: name at least one/],
      ['  over: rate\n  from: 1\n  to: 5\n  factor: 1\n  stopWhen: { errors: "> 0" }', /load\.factor: Too small/],
    ];
    for (const [body, message] of bad) expect(() => load(body), body).toThrow(message);
  });
});
