// Kernel-dropped connection attempts: the counter is read from /proc/net/netstat, a real full
// listen queue moves it, and a phase with drops fails the run's `connections` check.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
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

  it.skipIf(!existsSync('/proc/net/netstat'))(
    'counts the connection attempts a real full listen queue drops',
    async () => {
      // A listener with a queue of 1 that never accepts (python3: node always accepts at once).
      const listener = spawn('python3', [
        '-c',
        "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(1)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)",
      ]);
      const sockets: Socket[] = [];
      try {
        const port = await new Promise<number>((resolve, reject) => {
          listener.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
          listener.once('error', reject);
        });
        const before = listenOverflows()!;
        for (let i = 0; i < 8; i++) {
          const s = connect(port, '127.0.0.1');
          s.on('error', () => undefined);
          sockets.push(s);
        }
        // Bounded: the drops show within a few ms; give up after 3 s.
        let after = before;
        for (let i = 0; i < 30 && after === before; i++) {
          await new Promise((r) => setTimeout(r, 100));
          after = listenOverflows()!;
        }
        expect(after).toBeGreaterThan(before);
      } finally {
        for (const s of sockets) s.destroy();
        listener.kill();
      }
    },
    10_000,
  );
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
