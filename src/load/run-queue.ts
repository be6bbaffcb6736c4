// How long a process's main thread waited for a core: the second field of /proc/<pid>/schedstat,
// the ns it spent runnable on a run queue but not running (Linux with schedstats; null elsewhere).
// CPU time says how much a process worked; this says how long it was ready and could not, which
// is what other processes on a shared machine cost a latency figure. /proc/<pid>/schedstat is the
// thread group leader's own line: the thread that runs the event loop.
import { readFileSync } from 'node:fs';

/** The main thread's run-queue wait so far, µs; null where the kernel does not report it. */
export function runQueueWaitUs(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/schedstat`, 'utf8');
  } catch {
    return null;
  }
  const waitNs = Number(text.split(' ')[1]);
  return Number.isFinite(waitNs) ? waitNs / 1000 : null;
}
