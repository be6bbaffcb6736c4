import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseYamlText } from '../../../src/base/yaml-input.ts';
import { InputError } from '../../../src/base/errors.ts';
import { createPrng } from '../../../src/base/prng.ts';
import {
  createIntSampler,
  createSampler,
  distributionSchema,
  itemPrng,
  nominalMean,
  type Distribution,
} from '../../../src/load/workload/distributions.ts';

const draws = (d: Distribution, n: number, seed = 7) => {
  const s = createSampler(d, createPrng(seed));
  return Array.from({ length: n }, () => s());
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;

describe('distributions', () => {
  it('fixed always gives its value; a bare number in YAML means fixed', () => {
    expect(draws({ type: 'fixed', value: 42 }, 5)).toEqual([42, 42, 42, 42, 42]);
    const schema = z.object({ d: distributionSchema });
    expect(parseYamlText('f.yaml', 'd: 12', schema).value.d).toEqual({ type: 'fixed', value: 12 });
  });

  it('uniform stays within [min, max] and centres on the midpoint', () => {
    const xs = draws({ type: 'uniform', min: 10, max: 20 }, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThan(20);
    expect(mean(xs)).toBeCloseTo(15, 0);
  });

  it('normal has its mean and standard deviation, clamped to min/max', () => {
    const xs = draws({ type: 'normal', mean: 100, stddev: 10, min: 0 }, 20_000);
    expect(mean(xs)).toBeGreaterThan(99.5);
    expect(mean(xs)).toBeLessThan(100.5);
    const sd = Math.sqrt(mean(xs.map((x) => (x - 100) ** 2)));
    expect(sd).toBeGreaterThan(9.6);
    expect(sd).toBeLessThan(10.4);
    const clamped = draws({ type: 'normal', mean: 0, stddev: 10, min: 0, max: 5 }, 2_000);
    expect(Math.min(...clamped)).toBe(0);
    expect(Math.max(...clamped)).toBe(5);
  });

  it('lognormal has its median, and sigma sets the tail (p99 ≈ median · e^(2.326σ))', () => {
    const xs = draws({ type: 'lognormal', median: 200, sigma: 0.5, min: 0 }, 40_000);
    expect(quantile(xs, 0.5)).toBeGreaterThan(192);
    expect(quantile(xs, 0.5)).toBeLessThan(208);
    const p99 = 200 * Math.exp(2.326 * 0.5);
    expect(quantile(xs, 0.99) / p99).toBeGreaterThan(0.93);
    expect(quantile(xs, 0.99) / p99).toBeLessThan(1.07);
    expect(mean(xs) / nominalMean({ type: 'lognormal', median: 200, sigma: 0.5, min: 0 })).toBeCloseTo(1, 1);
  });

  it('empirical draws only its values, in proportion to their weights (zero weight: never)', () => {
    const xs = draws({ type: 'empirical', values: [1, 2, 3], weights: [1, 3, 0] }, 20_000);
    expect(new Set(xs)).toEqual(new Set([1, 2]));
    expect(xs.filter((x) => x === 2).length / xs.length).toBeCloseTo(0.75, 1);
    const unweighted = draws({ type: 'empirical', values: [5, 6] }, 10_000);
    expect(unweighted.filter((x) => x === 5).length / unweighted.length).toBeCloseTo(0.5, 1);
  });

  it('is reproducible: the same seed gives the same draws; another seed does not', () => {
    const d: Distribution = { type: 'lognormal', median: 50, sigma: 1, min: 0 };
    expect(draws(d, 100, 3)).toEqual(draws(d, 100, 3));
    expect(draws(d, 100, 3)).not.toEqual(draws(d, 100, 4));
  });

  it('item PRNGs are independent of each other and stable per (seed, index)', () => {
    const first = (seed: number, i: number) => itemPrng(seed, i)();
    expect(first(1, 5)).toBe(first(1, 5));
    const values = new Set(Array.from({ length: 1000 }, (_, i) => first(1, i)));
    expect(values.size).toBe(1000);
    expect(first(1, 0)).not.toBe(first(2, 0));
  });

  it('integer samplers round and never go below their floor', () => {
    const s = createIntSampler({ type: 'normal', mean: 1, stddev: 5, min: 0 }, createPrng(1), 1);
    const xs = Array.from({ length: 1000 }, () => s());
    expect(xs.every((x) => Number.isInteger(x) && x >= 1)).toBe(true);
  });

  it('rejects bad values naming the field and the line', () => {
    const schema = z.object({ a: z.number(), d: distributionSchema }).strict();
    const bad: Array<[string, RegExp]> = [
      ['a: 1\nd: { type: lognormal, median: 0, sigma: 1 }', /f\.yaml:2: d\.median: Too small/],
      ['a: 1\nd: { type: lognormal, median: 5, sigma: -1 }', /f\.yaml:2: d\.sigma/],
      ['a: 1\nd:\n  type: uniform\n  min: 9\n  max: 3', /f\.yaml:5: d\.max: uniform: max must be at least min/],
      ['a: 1\nd: { type: empirical, values: [1, 2], weights: [1] }', /f\.yaml:2: d\.weights: empirical: 1 weights for 2 values/],
      ['a: 1\nd: { type: empirical, values: [1], weights: [0] }', /d\.weights: empirical: at least one weight/],
      ['a: 1\nd: { type: empirical, values: [] }', /d\.values/],
      ['a: 1\nd: { type: pareto, alpha: 1 }', /d\.type: Invalid discriminator/],
      ['a: 1\nd: { type: normal, mean: 5, stddev: 1, extra: 1 }', /d: Unrecognized key/],
      ['a: 1\nd: -3', /d\.value: Too small/],
    ];
    for (const [text, message] of bad) {
      let err: unknown;
      try {
        parseYamlText('f.yaml', text, schema);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message, text).toMatch(message);
    }
  });
});
