// listenOn asks for an accept queue long enough for a load run's connection burst: the kernel
// reports a listening socket's queue length as its Send-Q (`ss -ltn`), capped at somaxconn.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LISTEN_BACKLOG, listenOn } from '../../src/base/listen.ts';

const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('listenOn', () => {
  it.skipIf(!hasSs)('listens with an accept queue of LISTEN_BACKLOG (capped by net.core.somaxconn), not node’s 511', async () => {
    const server = createServer();
    await listenOn(server, 0, '127.0.0.1', 'a test server');
    try {
      const { port } = server.address() as AddressInfo;
      const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
      const sendQ = Number(line.split(/\s+/)[2]);
      const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
      expect(sendQ, line).toBe(Math.min(LISTEN_BACKLOG, somaxconn));
    } finally {
      server.close();
    }
  });
});
