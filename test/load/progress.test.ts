import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/load/progress.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const snapshot = () => ({ activeStreams: 7, events: 100, errors: 1, bytes: 2_000_000 });

describe('progress line', () => {
  it('prints plain lines when not on a terminal', async () => {
    let out = '';
    const p = createProgress({ write: (t) => void (out += t), isTTY: false, plainEveryMs: 20 });
    p.start('bench', snapshot);
    await sleep(70);
    p.stop();
    const lines = out.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^bench: \d+s {2}7 streams open {2}\d+ events\/s {2}2\.0 MB {2}1 errors$/);
    expect(out).not.toContain('\x1b');
  });

  it('rewrites one line in place on a terminal and clears it at the end', async () => {
    let out = '';
    const p = createProgress({ write: (t) => void (out += t), isTTY: true });
    p.start('bench', snapshot);
    await sleep(560);
    p.stop();
    expect(out.startsWith('\r\x1b[2Kbench:')).toBe(true);
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
    expect(out).not.toContain('\n');
  });
});
