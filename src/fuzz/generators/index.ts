// Kept only for src/commands/fuzz.ts, which lists `generators.map((g) => g.provider)` (that folder
// is being moved by another change): generators now live in each provider's descriptor (`fuzz`,
// src/providers/<name>/fuzz.ts). Delete this folder once the command uses fuzzProviderNames().
import { fuzzProviderNames } from '../run-fuzz.ts';

/** @deprecated use fuzzProviderNames() from src/fuzz/run-fuzz.ts */
export const generators: readonly { provider: string }[] = fuzzProviderNames().map((provider) => ({ provider }));
