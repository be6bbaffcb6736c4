// Kernel-dropped connection attempts: the counter is read from /proc/net/netstat, and a phase with
// drops fails the run's `connections` check. (No test here overflows a real listen queue: the
// counter is machine-wide, and a load test running in the other worker would see the drop.)
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listenOverflows, parseListenOverflows } from '../../src/load/listen-drops.ts';
import type { PhaseResult } from '../../src/load/phase.ts';
import { listenDropCheck } from '../../src/scenario/kinds/load/run.ts';

const NETSTAT = `TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops
TcpExt: 0 0 42 42
IpExt: InNoRoutes InTruncatedPkts
IpExt: 0 0
`;

describe('listen overflows', () => {
  it('reads TcpExt ListenOverflows by its column, and null where there is none', () => {
    expect(parseListenOverflows(NETSTAT)).toBe(42);
    expect(parseListenOverflows('IpExt: InNoRoutes\nIpExt: 0\n')).toBeNull();
    expect(parseListenOverflows('TcpExt: SyncookiesSent\nTcpExt: 0\n')).toBeNull();
    expect(listenOverflows('/nonexistent/netstat')).toBeNull();
  });

  it.skipIf(!existsSync('/proc/net/netstat'))('reads this machine’s own counter', () => {
    expect(Number.isInteger(listenOverflows())).toBe(true);
    expect(listenOverflows()).toBeGreaterThanOrEqual(0);
  });
});

describe('connections check', () => {
  const phase = (listenOverflows: number | null) => ({ listenOverflows }) as PhaseResult;

  it('passes when no phase saw a drop, fails naming each phase that did, and is absent where nothing was measured', () => {
    expect(listenDropCheck([['gateway phase', phase(0)]])?.ok).toBe(true);
    const failed = listenDropCheck([
      ['gateway phase', phase(3)],
      ['direct phase', phase(0)],
      ['calibration phase', phase(1)],
    ])!;
    expect(failed.ok).toBe(false);
    expect(failed.message).toMatch(/not valid: gateway phase: 3; calibration phase: 1$/);
    expect(listenDropCheck([['gateway phase', phase(null)]])).toBeNull();
  });
});
