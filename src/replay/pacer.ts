// One timer for every stream's next write. A replay upstream serving thousands of paced streams
// would otherwise arm (and tear down) a timer, a promise and two listeners per chunk; here each
// stream waits in a min-heap by due time, and one timer, armed for the earliest, wakes every
// stream that is due on the same tick.

/** A stream's place in the queue; one per stream, reused for each of its waits. */
export interface PacerTicket {
  /** performance.now() ms when it is due. */
  at: number;
  wake: () => void;
  /** In the heap right now. */
  queued: boolean;
  /** Withdrawn while queued (the stream ended): skipped when it comes up. */
  cancelled: boolean;
}

export class Pacer {
  private readonly heap: PacerTicket[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private ticking = false;

  ticket(wake: () => void): PacerTicket {
    return { at: 0, wake, queued: false, cancelled: false };
  }

  /** Wakes the ticket at `at` (performance.now() ms) or on the first tick after it. */
  wakeAt(ticket: PacerTicket, at: number): void {
    ticket.at = at;
    ticket.queued = true;
    ticket.cancelled = false;
    this.push(ticket);
    if (!this.ticking && at < this.timerAt) this.arm(at);
  }

  /** Withdraws a queued ticket (its wake will not be called). */
  cancel(ticket: PacerTicket): void {
    if (ticket.queued) ticket.cancelled = true;
  }

  /** Streams waiting (cancelled ones included until their time comes). */
  get size(): number {
    return this.heap.length;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.tick, Math.max(0, at - performance.now()));
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    // Wake everything due now; a wake may queue its ticket again (for a later time).
    this.ticking = true;
    try {
      while (this.heap.length > 0 && this.heap[0]!.at <= now) {
        const t = this.pop();
        t.queued = false;
        if (t.cancelled) continue;
        t.wake();
      }
    } finally {
      this.ticking = false;
      if (this.heap.length > 0) this.arm(this.heap[0]!.at);
    }
  };

  private push(t: PacerTicket): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= t.at) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = t;
  }

  private pop(): PacerTicket {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
        if (h[c]!.at >= last.at) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

/** The process's pacer: every replay upstream in it shares the one timer. */
export const sharedPacer = new Pacer();
