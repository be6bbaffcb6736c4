// One seeded PRNG for re-chunkings, schedules and generated streams: the same seed gives the same
// numbers in every run, every process and every machine.

/** mulberry32: small, fast and good enough for splits and schedules (not for secrets). */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
