import { describe, expect, it } from 'vitest';
import {
  createLoadStats,
  decodeLoadStats,
  encodeLoadStats,
  mergeLoadStats,
  recordStream,
  totalErrors,
  windowSeconds,
} from '../../src/load/load-stats.ts';
import type { StreamRecord } from '../../src/checks/stream-check.ts';

function record(ttftMs: number, over: Partial<StreamRecord> = {}): StreamRecord {
  return {
    timings: {
      ttfbNs: 1e6,
      ttfeNs: 1e6,
      ttftNs: ttftMs * 1e6,
      e2eNs: 100e6,
      itlNs: [5e6, 5e6],
      tpotNs: 5e6,
      contentEvents: 3,
      events: 5,
      bytes: 500,
      stalls: 0,
      errorEvent: null,
    },
    failure: null,
    frames: { expectedFrames: 5, lost: 0, corrupted: 0, reordered: 0, extra: 0 },
    cut: false,
    ...over,
  };
}

describe('load stats', () => {
  it('records timings of good streams, errors by class, cut streams apart', () => {
    const s = createLoadStats();
    recordStream(s, record(10), 0n, 100_000_000n);
    recordStream(s, record(20, { failure: { class: 'http_5xx', message: 'status 503' } }), 50_000_000n, 150_000_000n);
    recordStream(s, record(30, { cut: true }), 60_000_000n, 2_000_000_000n);
    recordStream(
      s,
      record(40, { frames: { expectedFrames: 5, lost: 1, corrupted: 1, reordered: 0, extra: 0 }, mismatch: 'first difference at byte 7' }),
      0n,
      100_000_000n,
    );
    expect(s.streams).toBe(3);
    expect(s.ok).toBe(2);
    expect(s.cut).toBe(1);
    expect(totalErrors(s)).toBe(1);
    expect(s.errorSamples.http_5xx).toBe('status 503');
    expect(s.timings.ttft.totalCount).toBe(2);
    expect(s.timings.itl.totalCount).toBe(4);
    expect(s.frames).toMatchObject({ checked: 2, mismatchedStreams: 1, lost: 1, corrupted: 1 });
    expect(s.mismatchSample).toContain('byte 7');
    expect(windowSeconds(s)).toBe(2);
  });

  it('merges and survives encoding', () => {
    const a = createLoadStats();
    const b = createLoadStats();
    recordStream(a, record(10), 0n, 100n);
    recordStream(b, record(20, { failure: { class: 'timeout', message: 't' } }), 50n, 300n);
    const merged = mergeLoadStats([decodeLoadStats(JSON.parse(JSON.stringify(encodeLoadStats(a)))), b]);
    expect(merged.streams).toBe(2);
    expect(merged.errors.timeout).toBe(1);
    expect(merged.timings.ttft.totalCount).toBe(1);
    expect(merged.windowStartNs).toBe(0n);
    expect(merged.windowEndNs).toBe(300n);
  });
});
