// Starting a server on a port: resolves once it listens; a port already taken becomes a
// PortInUseError (exit 2) instead of an EADDRINUSE stack trace.
import { once } from 'node:events';
import type { Server } from 'node:net';
import { PortInUseError } from './errors.ts';

/**
 * The accept queue asked for (the kernel caps it at net.core.somaxconn). Node's default, 511, is
 * too short for a load run: a closed loop of 1,000 streams opens about 1,000 connections within
 * its ramp-up, and every connection the queue drops costs its client a SYN retransmit, 1 s and
 * then 3 s later, which the run would report as seconds of TTFT.
 */
export const LISTEN_BACKLOG = 4096;

export async function listenOn(server: Server, port: number, host: string, what: string): Promise<void> {
  server.listen({ port, host, backlog: LISTEN_BACKLOG });
  try {
    await once(server, 'listening');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port, what);
    throw err;
  }
}
