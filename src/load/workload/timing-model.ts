// A synthetic provider's timing: how long the first token takes (TTFT), the gaps between tokens
// (ITL), a per-request speed factor (jitter: some requests land on a busier replica) and now and
// then a stall (a long pause mid-answer). The replay upstream times generated streams with it, so
// the upstream behaves like a model at any scale instead of answering instantly. Deterministic:
// the same seed and request index give the same schedule in every process.
import { z } from 'zod';
import { createSampler, distributionSchema, itemPrng, type Distribution } from './distributions.ts';

export interface TimingModel {
  /** Time to the first token, ms. */
  ttftMs: Distribution;
  /** Each gap between consecutive tokens, ms. */
  itlMs: Distribution;
  /** Per request, every delay is multiplied by a factor drawn uniformly from [1 − jitter, 1 + jitter]. */
  jitter: number;
  /** Each gap becomes a stall with this probability, adding a draw from `ms`. */
  stalls?: { probability: number; ms: Distribution } | undefined;
  seed: number;
}

export const timingModelSchema = z
  .object({
    ttftMs: distributionSchema.describe('Time to the first token, ms.'),
    itlMs: distributionSchema.describe('Gap between consecutive tokens, ms.'),
    jitter: z
      .number()
      .min(0)
      .max(0.95)
      .default(0)
      .describe('Per-request speed factor: every delay of a request is scaled by a draw from [1 − jitter, 1 + jitter].'),
    stalls: z
      .object({
        probability: z.number().min(0).max(1).describe('Chance that a gap between tokens is a stall.'),
        ms: distributionSchema.describe('How long a stall adds, ms.'),
      })
      .strict()
      .optional(),
    seed: z.number().int().default(1),
  })
  .strict()
  .describe('A synthetic provider timing model for generated streams (docs/workloads.md).');

/** The longest single delay the model produces (a safety bound on one distribution's tail), ms. */
export const MAX_DELAY_MS = 600_000;

/**
 * The delays of one answer of `tokens` tokens, ms: [TTFT, gap 1→2, …, gap (n−1)→n]. Request
 * `index` gets its own draws, so a request's schedule does not depend on which came before it.
 */
export function chunkDelays(model: TimingModel, index: number, tokens: number): number[] {
  const random = itemPrng(model.seed, index);
  const ttft = createSampler(model.ttftMs, random);
  const itl = createSampler(model.itlMs, random);
  const stall = model.stalls ? createSampler(model.stalls.ms, random) : null;
  const factor = model.jitter > 0 ? 1 - model.jitter + 2 * model.jitter * random() : 1;
  const bound = (ms: number) => Math.min(MAX_DELAY_MS, Math.max(0, ms));
  const delays = [bound(ttft() * factor)];
  for (let i = 1; i < tokens; i++) {
    let gap = itl() * factor;
    if (stall && random() < model.stalls!.probability) gap += stall();
    delays.push(bound(gap));
  }
  return delays;
}

/** The same schedule as offsets from the response start, ms (when each token is written). */
export function chunkOffsets(model: TimingModel, index: number, tokens: number): number[] {
  let at = 0;
  return chunkDelays(model, index, tokens).map((d) => (at += d));
}
