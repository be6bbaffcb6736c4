// Schedules and generated streams use the same seeded PRNG as the re-chunkings: the same seed
// gives the same numbers in every run and every process.
export { mulberry32 as createPrng } from '../fixtures/chunking.ts';
