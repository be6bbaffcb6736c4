// Seeded distributions for workloads: prompt and output lengths, provider timings, turns per
// conversation. A scenario writes one as YAML (`{ type: lognormal, median: 200, sigma: 0.6 }`, or a
// bare number for a fixed value); the same seed and index give the same value in every process,
// so the client (which sets max_tokens) and the replay upstream (which times the answer) agree.
import { z } from 'zod';
import { createPrng } from '../../base/prng.ts';

export type Distribution =
  | { type: 'fixed'; value: number }
  | { type: 'uniform'; min: number; max: number }
  | { type: 'normal'; mean: number; stddev: number; min: number; max?: number | undefined }
  | { type: 'lognormal'; median: number; sigma: number; min: number; max?: number | undefined }
  | { type: 'empirical'; values: number[]; weights?: number[] | undefined };

const finite = () => z.number().finite();
const bounds = {
  min: finite().min(0).default(0).describe('Draws below this are raised to it (values are never negative).'),
  max: finite().positive().optional().describe('Draws above this are lowered to it.'),
};

const fixedSchema = z.object({ type: z.literal('fixed'), value: finite().min(0) }).strict();
const uniformSchema = z
  .object({ type: z.literal('uniform'), min: finite().min(0), max: finite().min(0) })
  .strict()
  .refine((d) => d.max >= d.min, { message: 'uniform: max must be at least min', path: ['max'] });
const normalSchema = z
  .object({ type: z.literal('normal'), mean: finite().min(0), stddev: finite().min(0), ...bounds })
  .strict()
  .refine((d) => d.max === undefined || d.max >= d.min, { message: 'normal: max must be at least min', path: ['max'] });
const lognormalSchema = z
  .object({
    type: z.literal('lognormal'),
    median: finite().positive().describe('The 50th percentile (e^mu).'),
    sigma: finite().min(0).max(5).describe('Spread of the log (0 = always the median; 1 = p99 about 10× the median).'),
    ...bounds,
  })
  .strict()
  .refine((d) => d.max === undefined || d.max >= d.min, { message: 'lognormal: max must be at least min', path: ['max'] });
const empiricalSchema = z
  .object({
    type: z.literal('empirical'),
    values: z.array(finite().min(0)).min(1).max(100_000).describe('Values drawn from (each equally likely unless weighted).'),
    weights: z.array(finite().min(0)).optional().describe('One weight per value (relative; need not sum to 1).'),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (!d.weights) return;
    if (d.weights.length !== d.values.length)
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: `empirical: ${d.weights.length} weights for ${d.values.length} values (one weight per value)`,
      });
    else if (!d.weights.some((w) => w > 0))
      ctx.addIssue({ code: 'custom', path: ['weights'], message: 'empirical: at least one weight must be above 0' });
  });

/** A distribution as a scenario writes it; a bare number means `{ type: fixed, value: n }`. */
export const distributionSchema = z
  .preprocess(
    (v) => (typeof v === 'number' ? { type: 'fixed', value: v } : v),
    z.discriminatedUnion('type', [fixedSchema, uniformSchema, normalSchema, lognormalSchema, empiricalSchema]),
  )
  .describe('A number, or { type: fixed | uniform | normal | lognormal | empirical, … } (docs/workloads.md).');

/** A sampler: each call draws the next value from the distribution with the given random source. */
export type Sampler = () => number;

/** Draws from `dist` with `random` (uniform in [0, 1)); min/max clamps apply. */
export function createSampler(dist: Distribution, random: () => number): Sampler {
  switch (dist.type) {
    case 'fixed':
      return () => dist.value;
    case 'uniform':
      return () => dist.min + random() * (dist.max - dist.min);
    case 'normal':
      return () => clamp(dist.mean + dist.stddev * standardNormal(random), dist.min, dist.max);
    case 'lognormal': {
      const mu = Math.log(dist.median);
      return () => clamp(Math.exp(mu + dist.sigma * standardNormal(random)), dist.min, dist.max);
    }
    case 'empirical': {
      const weights = dist.weights ?? dist.values.map(() => 1);
      const cumulative: number[] = [];
      let total = 0;
      for (const w of weights) cumulative.push((total += w));
      return () => {
        const u = random() * total;
        // Binary search for the first cumulative weight above u (zero weights are never chosen).
        let lo = 0;
        let hi = cumulative.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cumulative[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        return dist.values[lo]!;
      };
    }
  }
}

/** Like createSampler, rounded to a whole number of at least `atLeast` (token counts, turns). */
export function createIntSampler(dist: Distribution, random: () => number, atLeast = 1): Sampler {
  const draw = createSampler(dist, random);
  return () => Math.max(atLeast, Math.round(draw()));
}

/**
 * A PRNG for one item (a request, a conversation) of a seeded stream: the same (seed, parts) give
 * the same numbers wherever they are computed, independent of how many other items were drawn.
 */
export function itemPrng(seed: number, ...parts: number[]): () => number {
  let h = mix(seed >>> 0);
  for (const p of parts) h = mix((h ^ (p >>> 0)) + 0x9e3779b9);
  return createPrng(h);
}

/** The distribution's mean, exactly where it has a closed form (before clamping), for docs and checks. */
export function nominalMean(dist: Distribution): number {
  switch (dist.type) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return (dist.min + dist.max) / 2;
    case 'normal':
      return dist.mean;
    case 'lognormal':
      return dist.median * Math.exp((dist.sigma * dist.sigma) / 2);
    case 'empirical': {
      const weights = dist.weights ?? dist.values.map(() => 1);
      const total = weights.reduce((a, b) => a + b, 0);
      return dist.values.reduce((sum, v, i) => sum + v * weights[i]!, 0) / total;
    }
  }
}

/** One line describing a distribution, for report scopes. */
export function describeDistribution(dist: Distribution): string {
  switch (dist.type) {
    case 'fixed':
      return `${dist.value}`;
    case 'uniform':
      return `uniform ${dist.min}–${dist.max}`;
    case 'normal':
      return `normal mean ${dist.mean} sd ${dist.stddev}`;
    case 'lognormal':
      return `lognormal median ${dist.median} sigma ${dist.sigma}`;
    case 'empirical':
      return `empirical (${dist.values.length} values${dist.weights ? ', weighted' : ''})`;
  }
}

function clamp(v: number, min: number, max: number | undefined): number {
  const low = Math.max(min, v);
  return max === undefined ? low : Math.min(max, low);
}

/** Box–Muller: one standard normal draw from two uniforms (1 − u is in (0, 1], so the log is finite). */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** splitmix32-style finaliser: spreads nearby seeds and indexes over the whole 32-bit range. */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}
