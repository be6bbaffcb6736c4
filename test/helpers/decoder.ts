// Shared by the provider decoder suites: every quirk must decode the same fed whole, split in two
// at every byte, and one byte per read.
import { expect } from 'vitest';
import type { CanonicalEvent } from '../../src/canonical/events.ts';

/** Decodes `text` whole with `decode`, checks every two-piece split and one byte per read agree. */
export function decodeEverySplit(decode: (reads: Buffer[]) => CanonicalEvent[], text: string): CanonicalEvent[] {
  const body = Buffer.from(text, 'utf8');
  const whole = decode([body]);
  for (let i = 1; i < body.length; i++) {
    expect(decode([body.subarray(0, i), body.subarray(i)]), `split at ${i}`).toEqual(whole);
  }
  expect(decode([...body].map((b) => Buffer.from([b]))), 'one byte per read').toEqual(whole);
  return whole;
}
