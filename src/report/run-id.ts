// Run ids name report directories, so they must sort by time and be safe on every filesystem.

import { randomBytes } from 'node:crypto';

/**
 * The run's start time in UTC with ":" and "." replaced by "-", plus 4 random hex digits so
 * runs started in the same millisecond (parallel CI jobs) still differ:
 * `2026-11-21T05-31-07-123Z-a1b2`. Ids sort lexicographically in start order (to the
 * millisecond). Throws RangeError for an invalid Date.
 */
export function makeRunId(date: Date): string {
  const stamp = date.toISOString().replace(/[:.]/g, '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
