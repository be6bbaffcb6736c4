// The packed read log gives back every read, stamp and byte, exactly as added, across growths.
import { describe, expect, it } from 'vitest';
import { ReadLog } from '../../src/client/read-log.ts';

describe('ReadLog', () => {
  it('returns each read with its stamp and bytes, in order, through several growths', () => {
    const log = new ReadLog();
    const added: Array<{ at: bigint; bytes: Buffer }> = [];
    for (let i = 0; i < 100; i++) {
      const bytes = Buffer.from(`data: ${'x'.repeat(i * 7)}${i}\n\n`);
      const at = 1_000_000_000_000n + BigInt(i) * 1_234_567n;
      log.add(at, bytes);
      added.push({ at, bytes });
      // The caller may reuse its buffer: the log holds a copy.
      bytes.fill(0);
    }
    const reads = log.reads();
    expect(reads.length).toBe(100);
    expect(log.count).toBe(100);
    for (let i = 0; i < 100; i++) {
      expect(reads[i]!.at).toBe(added[i]!.at);
      expect(reads[i]!.bytes.toString()).toBe(`data: ${'x'.repeat(i * 7)}${i}\n\n`);
    }
    expect(log.bytes).toBe(reads.reduce((n, r) => n + r.bytes.length, 0));
  });

  it('is empty until something is added', () => {
    const log = new ReadLog();
    expect(log.reads()).toEqual([]);
    expect(log.bytes).toBe(0);
  });
});
