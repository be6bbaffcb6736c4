// Misbehaving HTTP servers on 127.0.0.1, each one way a target or an upstream can go wrong. They
// speak raw TCP so they can break HTTP itself (garbage, a reset inside the headers, headers a byte
// at a time). Every one is bounded: it writes for at most MAX_MS and MAX_BYTES per connection and
// stops when closed, so a test that fails cannot leave a server streaming forever.
import { createServer, type Server, type Socket } from 'node:net';

export const PEER_NAMES = [
  'endless-stream',
  'endless-event',
  'giant-line',
  'garbage',
  'silent',
  'reset-mid-header',
  'slowloris',
  'echo-secrets',
] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export interface Peer {
  name: PeerName;
  url: string;
  /** Requests whose head the peer read (so a test can tell the gateway did call it). */
  requests(): number;
  close(): Promise<void>;
}

/**
 * Per connection, an endless peer stops at whichever comes first: this many bytes (far past every
 * cap under test, and more than a fast loopback carries before the gateway's total timeout) or
 * this long (longer than any limit under test).
 */
const MAX_BYTES = 64 * 1024 * 1024 * 1024;
const MAX_MS = 60_000;
/** A request head larger than this is not read further. */
const MAX_HEAD_BYTES = 64 * 1024;
const SSE_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n';
const CHUNK_EVENT = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${'y'.repeat(4000)}"},"finish_reason":null}]}\n\n`;

export async function startPeer(name: PeerName): Promise<Peer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  let closed = false;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the other side leaving is what these peers provoke
    let head = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered) return; // the request body, if any, is read and dropped
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 && head.length < MAX_HEAD_BYTES) return;
      answered = true;
      requests++;
      behave(name, socket, head.subarray(0, end < 0 ? head.length : end).toString('latin1'));
    });
  });

  const after = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  /** Writes `piece` again and again, honouring backpressure, until MAX_BYTES, MAX_MS or the socket closes. */
  function pump(socket: Socket, piece: Buffer): void {
    let sent = 0;
    const until = performance.now() + MAX_MS;
    const more = () => {
      while (!closed && !socket.destroyed && sent < MAX_BYTES && performance.now() < until) {
        sent += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', more);
      }
      socket.end();
    };
    more();
  }

  function behave(peer: PeerName, socket: Socket, head: string): void {
    switch (peer) {
      case 'endless-stream':
        // Well-formed events, one after another, never a final one.
        socket.write(SSE_HEAD);
        return pump(socket, Buffer.from(CHUNK_EVENT));
      case 'endless-event':
        // data: lines that never end the event (no blank line).
        socket.write(SSE_HEAD);
        return pump(socket, Buffer.from(`data: ${'x'.repeat(4000)}\n`));
      case 'giant-line': {
        // One 10 MB line, then the end of the event and of the body.
        socket.write(SSE_HEAD);
        socket.write(`data: ${'x'.repeat(10 * 1024 * 1024)}`);
        socket.end('\n\n');
        return;
      }
      case 'garbage': {
        // Bytes that are not HTTP at all, then the connection ends.
        const bytes = Buffer.alloc(64 * 1024);
        let x = 0x2545f491;
        for (let i = 0; i < bytes.length; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          bytes[i] = x & 0xff;
        }
        socket.end(bytes);
        return;
      }
      case 'silent':
        return; // accepts, reads the request, never answers
      case 'reset-mid-header':
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/ev');
        after(50, () => socket.resetAndDestroy());
        return;
      case 'slowloris': {
        // A status line and headers one byte every 100 ms: 2 KB of them would take over 3 minutes.
        const text = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-pad: ${'a'.repeat(2000)}\r\n\r\n`);
        let i = 0;
        const drip = () => {
          if (socket.destroyed || i >= text.length) return;
          socket.write(text.subarray(i, i + 1));
          i++;
          after(100, drip);
        };
        drip();
        return;
      }
      case 'echo-secrets': {
        // An error body that echoes the credentials it was sent, as some providers' 401s do.
        const auth = /^authorization:\s*(.*)$/im.exec(head)?.[1] ?? '';
        const apiKey = /^(?:x-api-key|api-key):\s*(.*)$/im.exec(head)?.[1] ?? '';
        const body = JSON.stringify({
          error: { message: `Incorrect API key provided: ${auth || apiKey}`, type: 'invalid_request_error', code: 'invalid_api_key' },
        });
        socket.end(
          `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nx-echo-auth: ${auth}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
