// Starting a server on a port: resolves once it listens; a port already taken becomes a
// PortInUseError (exit 2) instead of an EADDRINUSE stack trace.
import { once } from 'node:events';
import type { Server } from 'node:net';
import { PortInUseError } from './errors.ts';

export async function listenOn(server: Server, port: number, host: string, what: string): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port, what);
    throw err;
  }
}
