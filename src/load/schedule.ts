// Load models and their arrival schedules. Closed loop: N streams, each starting a new request as
// soon as its last one ends. Open loop: requests arrive on a schedule (constant or Poisson) that
// does not wait for the gateway, so a slow gateway cannot slow the load down (no coordinated
// omission): latency is measured from each request's intended start.
import { createPrng } from '../base/prng.ts';

export type LoadModel =
  | { type: 'closed'; concurrency: number; rampUpMs: number }
  | { type: 'constant'; rate: number; maxInFlight: number }
  | { type: 'poisson'; rate: number; seed: number; maxInFlight: number };

export type OpenLoopModel = Extract<LoadModel, { type: 'constant' | 'poisson' }>;

export function isOpenLoop(model: LoadModel): model is OpenLoopModel {
  return model.type !== 'closed';
}

/** Intended start offsets in ns from the run start, in order; endless (the caller bounds it). */
export function* arrivalOffsets(model: OpenLoopModel): Generator<bigint> {
  const meanGapNs = 1e9 / model.rate;
  if (model.type === 'constant') {
    for (let i = 0; ; i++) yield BigInt(Math.round(i * meanGapNs));
  }
  const random = createPrng(model.seed);
  let t = 0;
  for (;;) {
    yield BigInt(Math.round(t));
    // Exponential gaps: 1 - u is in (0, 1], so the log is finite.
    t += -Math.log(1 - random()) * meanGapNs;
  }
}

/** How many connections a model can have open at once (the client pool is sized to it). */
export function peakConcurrency(model: LoadModel): number {
  return model.type === 'closed' ? model.concurrency : model.maxInFlight;
}

export function describeModel(model: LoadModel): string {
  switch (model.type) {
    case 'closed':
      return `closed loop, ${model.concurrency} concurrent streams${model.rampUpMs > 0 ? `, ramp-up ${model.rampUpMs} ms` : ''}`;
    case 'constant':
      return `open loop, constant ${model.rate} req/s (max ${model.maxInFlight} in flight)`;
    case 'poisson':
      return `open loop, Poisson ${model.rate} req/s, seed ${model.seed} (max ${model.maxInFlight} in flight)`;
  }
}
