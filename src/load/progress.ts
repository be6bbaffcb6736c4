// A live progress line on stderr during long runs: rewritten in place on a terminal, a plain line
// every few seconds otherwise (CI logs).
export interface ProgressSnapshot {
  activeStreams: number;
  events: number;
  /** What `events` counts, for the line (default "events"; a load phase counts reads until it decodes). */
  counting?: string;
  errors: number;
  bytes: number;
}

export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  /** How often a plain line is printed when not on a terminal. */
  plainEveryMs?: number;
}

export interface Progress {
  start(label: string, sample: () => ProgressSnapshot): void;
  stop(): void;
}

export function createProgress(options: ProgressOptions): Progress {
  const tickMs = options.isTTY ? 500 : (options.plainEveryMs ?? 5_000);
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;
  return {
    start(label, sample) {
      const t0 = performance.now();
      let last = { t: t0, events: 0 };
      const tick = () => {
        const now = performance.now();
        const s = sample();
        const rate = ((s.events - last.events) / Math.max(now - last.t, 1)) * 1000;
        last = { t: now, events: s.events };
        const line = `${label}: ${((now - t0) / 1000).toFixed(0)}s  ${s.activeStreams} streams open  ${formatRate(rate)} ${s.counting ?? 'events'}/s  ${(s.bytes / 1e6).toFixed(1)} MB  ${s.errors} errors`;
        if (options.isTTY) {
          options.write(`\r\x1b[2K${line}`);
          drawn = true;
        } else {
          options.write(`${line}\n`);
        }
      };
      timer = setInterval(tick, tickMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      if (drawn) options.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

export function stderrProgress(): Progress {
  return createProgress({ write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY === true });
}

function formatRate(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n.toFixed(0);
}
