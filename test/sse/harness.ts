// Shared helpers for the SSE tests: run the parser over a byte stream cut into reads in every
// way the tests care about, and record everything it reports.
import { expect } from 'vitest';
import { createSseParser, SseLineTooLongError, type SseParserOptions } from '../../src/sse/parser.ts';

export type Entry =
  | { kind: 'event'; type: string | null; data: string; id: string | null }
  | { kind: 'retry'; ms: number }
  | { kind: 'comment'; text: string };

export interface RunResult {
  /** Events, retries and comments in the order the parser reported them. */
  entries: Entry[];
  boundaries: number[];
  /** Set when the parser threw SseLineTooLongError (feeding stops there). */
  error: { limit: number; offset: number } | null;
}

export const ev = (data: string, type: string | null = null, id: string | null = null): Entry => ({
  kind: 'event',
  type,
  data,
  id,
});
export const retry = (ms: number): Entry => ({ kind: 'retry', ms });
export const comment = (text: string): Entry => ({ kind: 'comment', text });

export type Input = string | readonly (number | string)[] | Uint8Array;

/** Strings are UTF-8 encoded; arrays mix raw byte values and UTF-8 encoded strings. */
export function bytesOf(input: Input): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof Uint8Array) return Buffer.from(input);
  return Buffer.concat(input.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from([p]))));
}

/** Parse `bytes` delivered as reads ending at each of `cuts` (the final read ends at bytes.length). */
export function runCuts(bytes: Uint8Array, cuts: readonly number[], options?: SseParserOptions): RunResult {
  const reads: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    // Fresh copies, scribbled over after each feed: the parser must not keep references to them.
    reads.push(Buffer.from(bytes.subarray(prev, c)));
    prev = c;
  }
  return runReads(reads, options, true);
}

/** One byte per read, through one reused Uint8Array (not a Buffer) with a non-zero byteOffset. */
export function runBytewise(bytes: Uint8Array, options?: SseParserOptions): RunResult {
  const backing = new Uint8Array(3);
  const scratch = backing.subarray(1, 2);
  const reads = {
    *[Symbol.iterator](): Generator<Uint8Array> {
      for (const b of bytes) {
        scratch[0] = b;
        yield scratch;
        scratch[0] = 0x2a;
      }
    },
  };
  return runReads(reads, options, false);
}

export function runReads(reads: Iterable<Uint8Array>, options?: SseParserOptions, scribble = false): RunResult {
  const entries: Entry[] = [];
  const boundaries: number[] = [];
  let error: RunResult['error'] = null;
  const parser = createSseParser(
    {
      onEvent: (e) => entries.push({ kind: 'event', type: e.type, data: e.data, id: e.id }),
      onRetry: (ms) => entries.push({ kind: 'retry', ms }),
      onComment: (text) => entries.push({ kind: 'comment', text }),
      onBoundary: (offset) => boundaries.push(offset),
    },
    options,
  );
  try {
    for (const r of reads) {
      parser.feed(r);
      if (scribble) r.fill(0x2a);
    }
    parser.end();
  } catch (e) {
    if (!(e instanceof SseLineTooLongError)) throw e;
    error = { limit: e.limit, offset: e.offset };
  }
  return { entries, boundaries, error };
}

/**
 * Boundary offsets must not depend on how the stream was cut, with one unavoidable exception:
 * when a read ends with the CR of a CRLF, the parser reports the boundary right after the CR
 * (it cannot wait for the next read without delaying the event), and the LF then starts the
 * next segment.
 */
export function expectSameBoundaries(bytes: Uint8Array, whole: number[], split: number[], cuts: readonly number[], label: string): void {
  const cutSet = new Set(cuts);
  const adjusted = split.map((b, i) => {
    const w = whole[i];
    if (w !== undefined && b === w - 1 && cutSet.has(b) && bytes[b - 1] === 0x0d && bytes[b] === 0x0a) return w;
    return b;
  });
  expect(adjusted, label).toEqual(whole);
}

/**
 * Check a vector whole, cut in two at every offset (including empty first/last reads) and one
 * byte per read: everything must be identical (boundaries modulo the CR|LF rule above).
 * Returns the whole-stream result for further assertions.
 */
export function checkAllSplits(input: Input, expected: Entry[], options?: SseParserOptions): RunResult {
  const bytes = bytesOf(input);
  const whole = runCuts(bytes, [], options);
  expect(whole.entries, 'whole').toEqual(expected);
  const check = (got: RunResult, cuts: readonly number[], label: string): void => {
    expect(got.entries, label).toEqual(whole.entries);
    expect(got.error, label).toEqual(whole.error);
    expectSameBoundaries(bytes, whole.boundaries, got.boundaries, cuts, label);
  };
  for (let k = 0; k <= bytes.length; k++) check(runCuts(bytes, [k], options), [k], `split at ${k}`);
  const everyByte = Array.from({ length: bytes.length }, (_, i) => i + 1);
  check(runBytewise(bytes, options), everyByte, 'one byte per read');
  return whole;
}
