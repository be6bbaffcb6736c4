// Chunk fidelity: frame-level accounting of a stream's output against its expected bytes.
import { describe, expect, it } from 'vitest';
import { compareFrames, frameMismatches, longestIncreasingRun, splitFrames } from '../../src/client/frames.ts';

const ev = (n: number) => `data: {"n":${n}}\n\n`;
const stream = (ns: number[], tail = '') => Buffer.from(ns.map(ev).join('') + tail);

describe('frames', () => {
  it('splits at blank lines (LF, CRLF) and keeps an unterminated tail as a frame', () => {
    expect(splitFrames(Buffer.from('data: a\n\ndata: b\r\n\r\n: c\n\ndata: d'))).toEqual([
      'data: a\n\n',
      'data: b\r\n\r\n',
      ': c\n\n',
      'data: d',
    ]);
  });

  it('counts nothing when the output equals the golden', () => {
    expect(frameMismatches(compareFrames(stream([1, 2, 3]), stream([1, 2, 3])))).toBe(0);
  });

  it('counts lost, corrupted, reordered and extra frames', () => {
    const golden = stream([1, 2, 3, 4, 5]);
    expect(compareFrames(golden, stream([1, 2, 4, 5]))).toMatchObject({ lost: 1, corrupted: 0, reordered: 0, extra: 0 });
    expect(compareFrames(golden, stream([1, 2, 33, 4, 5]))).toMatchObject({ lost: 0, corrupted: 1, reordered: 0, extra: 0 });
    expect(compareFrames(golden, stream([1, 3, 2, 4, 5]))).toMatchObject({ lost: 0, corrupted: 0, reordered: 1, extra: 0 });
    expect(compareFrames(golden, stream([1, 2, 3, 4, 5, 6]))).toMatchObject({ lost: 0, corrupted: 0, reordered: 0, extra: 1 });
    expect(compareFrames(golden, stream([1, 2, 3, 4, 5, 5]))).toMatchObject({ extra: 1 });
    expect(compareFrames(golden, stream([]))).toMatchObject({ lost: 5 });
  });

  it('sees a single changed byte inside an event as a corrupted frame', () => {
    const golden = Buffer.from('data: {"text":"héllo"}\n\ndata: [DONE]\n\n');
    const corrupted = Buffer.from(golden);
    corrupted[golden.indexOf('h')] = 0x48;
    expect(compareFrames(golden, corrupted)).toMatchObject({ expectedFrames: 2, corrupted: 1, lost: 0 });
  });

  it('longest increasing run', () => {
    expect(longestIncreasingRun([])).toBe(0);
    expect(longestIncreasingRun([0, 1, 2])).toBe(3);
    expect(longestIncreasingRun([2, 0, 1, 3])).toBe(3);
  });
});
