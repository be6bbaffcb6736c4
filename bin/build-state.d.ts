/** Which code `npx streamproof` should run from the package at `root` (see build-state.js). */
export function buildState(root: string): 'built' | 'source' | 'missing';
