// Chunk fidelity: a stream's output against its expected bytes, frame by frame. A frame is one
// SSE event block (up to and including its blank line); the bytes after the last blank line
// count as one more frame. Mismatches are counted as lost (expected, never seen), corrupted
// (expected, seen altered), reordered (seen, out of order) and extra (seen, never expected).
import { createSseParser } from '../sse/parser.ts';

export interface FrameDiff {
  expectedFrames: number;
  lost: number;
  corrupted: number;
  reordered: number;
  extra: number;
}

export function splitFrames(bytes: Buffer): string[] {
  const cuts: number[] = [];
  const parser = createSseParser(
    { onEvent() {}, onBoundary: (offset) => void cuts.push(offset) },
    { maxLineBytes: Number.MAX_SAFE_INTEGER },
  );
  parser.feed(bytes);
  const frames: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    // latin1 keeps every byte as one char, so frames compare exactly (invalid UTF-8 included).
    frames.push(bytes.toString('latin1', from, cut));
    from = cut;
  }
  if (from < bytes.length) frames.push(bytes.toString('latin1', from));
  return frames;
}

export function compareFrames(expected: Buffer, actual: Buffer, expectedFrames?: readonly string[]): FrameDiff {
  const want = expectedFrames ?? splitFrames(expected);
  if (expected.equals(actual)) return { expectedFrames: want.length, lost: 0, corrupted: 0, reordered: 0, extra: 0 };
  const unused = new Map<string, number[]>();
  want.forEach((f, i) => {
    const q = unused.get(f);
    if (q) q.push(i);
    else unused.set(f, [i]);
  });
  const matched: number[] = [];
  let unknown = 0;
  for (const frame of splitFrames(actual)) {
    const index = unused.get(frame)?.shift();
    if (index === undefined) unknown++;
    else matched.push(index);
  }
  const missing = want.length - matched.length;
  const corrupted = Math.min(missing, unknown);
  return {
    expectedFrames: want.length,
    lost: missing - corrupted,
    corrupted,
    reordered: matched.length - longestIncreasingRun(matched),
    extra: unknown - corrupted,
  };
}

export function frameMismatches(d: FrameDiff): number {
  return d.lost + d.corrupted + d.reordered + d.extra;
}

/** Length of the longest strictly increasing subsequence (patience sorting, O(n log n)). */
export function longestIncreasingRun(values: readonly number[]): number {
  const tails: number[] = [];
  for (const v of values) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = v;
  }
  return tails.length;
}
