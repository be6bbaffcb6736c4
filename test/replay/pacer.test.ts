// The shared pacer: many waits, one timer, woken in due order; cancelled waits never wake.
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/replay/pacer.ts';

describe('Pacer', () => {
  it('wakes every ticket once, in due order, and never before its time', async () => {
    const pacer = new Pacer();
    const woken: Array<{ n: number; late: number }> = [];
    const t0 = performance.now();
    const dues = [30, 5, 20, 5, 10, 0, 25, 15];
    await new Promise<void>((resolve) => {
      dues.forEach((d, n) => {
        const ticket = pacer.ticket(() => {
          woken.push({ n, late: performance.now() - (t0 + d) });
          if (woken.length === dues.length) resolve();
        });
        pacer.wakeAt(ticket, t0 + d);
      });
    });
    const order = woken.map((w) => dues[w.n]!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const w of woken) expect(w.late).toBeGreaterThanOrEqual(0);
    expect(pacer.size).toBe(0);
  });

  it('lets a woken ticket wait again, and skips a cancelled one', async () => {
    const pacer = new Pacer();
    let rounds = 0;
    let cancelledWoke = false;
    const other = pacer.ticket(() => {
      cancelledWoke = true;
    });
    pacer.wakeAt(other, performance.now() + 5);
    pacer.cancel(other);
    await new Promise<void>((resolve) => {
      const ticket = pacer.ticket(() => {
        rounds++;
        if (rounds < 3) pacer.wakeAt(ticket, performance.now() + 2);
        else resolve();
      });
      pacer.wakeAt(ticket, performance.now() + 1);
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(rounds).toBe(3);
    expect(cancelledWoke).toBe(false);
    expect(pacer.size).toBe(0);
  });

  it('orders a thousand random due times like a sort does', async () => {
    const pacer = new Pacer();
    const t0 = performance.now();
    const dues = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 50); // 0–20 ms, shuffled
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      for (const d of dues) {
        const ticket = pacer.ticket(() => {
          seen.push(d);
          if (seen.length === dues.length) resolve();
        });
        pacer.wakeAt(ticket, t0 + d);
      }
    });
    expect(seen).toEqual([...dues].sort((a, b) => a - b));
  });
});
