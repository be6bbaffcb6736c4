// The body writer frames chunks itself and writes them straight to the socket once the response
// owns it. What must hold: the bytes on the wire are a valid chunked body, the connection is
// reusable afterwards, and where node:http still has a say (HTTP/1.0, a pipelined response waiting
// its turn) the writer steps aside and node frames the body.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyWriter, frameChunk } from '../../src/base/chunked-body.ts';

let server: Server | null = null;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = null;
});

/**
 * A server whose every response sends `parts` through a body writer, the one for /slow after
 * 50 ms (so a request pipelined behind it waits its turn); counts the res.write calls per path.
 */
async function serve(parts: Array<string | Buffer>, resWrites: Record<string, number> = {}): Promise<number> {
  server = createServer((req, res: ServerResponse) => {
    const path = req.url ?? '';
    resWrites[path] = 0;
    const write = res.write.bind(res) as (chunk: string | Buffer) => boolean;
    res.write = ((chunk: string | Buffer) => {
      resWrites[path]!++;
      return write(chunk);
    }) as typeof res.write;
    const send = () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      const w = bodyWriter(res);
      for (const p of parts) w.write(p);
      res.end();
    };
    if (path === '/slow') setTimeout(send, 50);
    else send();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Sends raw bytes, collects the raw answer until `done(answer)` or the peer closes (bounded: 5 s). */
function raw(port: number, bytes: string, done: (answer: string) => boolean): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => reject(new Error(`no complete answer in 5 s: ${JSON.stringify(answer)}`)), 5_000);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, closed });
    };
    socket.on('data', (c: Buffer) => {
      answer += c.toString('utf8');
      if (done(answer)) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

const body = (answer: string, n = 0) => answer.split('\r\n\r\n')[n * 2 + 1];

describe('frameChunk', () => {
  it('frames by UTF-8 byte length in hex, for strings and buffers alike', () => {
    expect(frameChunk('data: é\n\n')).toBe('a\r\ndata: é\n\n\r\n');
    const bytes = Buffer.alloc(300, 0x61);
    const framed = frameChunk(bytes) as Buffer;
    expect(framed.subarray(0, 5).toString('latin1')).toBe('12c\r\n');
    expect(framed.subarray(5, 305).equals(bytes)).toBe(true);
    expect(framed.subarray(305).toString('latin1')).toBe('\r\n');
  });
});

describe('bodyWriter', () => {
  it('writes a valid chunked body straight to the socket; a pipelined response waiting its turn goes through node', async () => {
    const resWrites: Record<string, number> = {};
    const port = await serve(['data: a\n\n', Buffer.from('data: é\n\n'), ''], resWrites);
    const twice = 'GET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /next HTTP/1.1\r\nhost: x\r\n\r\n';
    const { answer } = await raw(port, twice, (a) => a.split('0\r\n\r\n').length === 3);
    // /slow owned its socket: every chunk went straight to it. /next was answered while /slow
    // held the socket: node queued its headers, so its chunks went through res.write, in order.
    expect(resWrites).toEqual({ '/slow': 0, '/next': 2 });
    const [first, second] = answer.split(/(?=HTTP\/1\.1 200)/);
    for (const one of [first!, second!]) {
      expect(one).toMatch(/transfer-encoding: chunked/i);
      // The empty write wrote nothing: an empty chunk would have ended the body early.
      expect(one.slice(one.indexOf('\r\n\r\n') + 4)).toBe('9\r\ndata: a\n\n\r\na\r\ndata: é\n\n\r\n0\r\n\r\n');
    }
  });

  it('steps aside for an HTTP/1.0 client: node sends the body unframed and closes', async () => {
    const port = await serve(['data: a\n\n', 'data: b\n\n']);
    const { answer, closed } = await raw(port, 'GET / HTTP/1.0\r\n\r\n', () => false);
    expect(closed).toBe(true);
    expect(answer).not.toMatch(/transfer-encoding/i);
    expect(body(answer)).toBe('data: a\n\ndata: b\n\n');
  });

  it('reports backpressure from the socket and settles drained() once the peer reads', async () => {
    let result: { full: boolean; settled: boolean } | null = null;
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      const w = bodyWriter(res);
      const big = Buffer.alloc(64 * 1024, 0x62);
      let full = false;
      for (let i = 0; i < 1000 && !full; i++) full = !w.write(big); // bounded: 64 MiB at most
      expect(w.needsDrain).toBe(full);
      void w.drained().then(() => {
        result = { full, settled: true };
        res.end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    let bytes = 0;
    await raw(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', (a) => {
      bytes = a.length;
      return a.endsWith('0\r\n\r\n');
    });
    expect(result).toEqual({ full: true, settled: true });
    expect(bytes).toBeGreaterThan(64 * 1024);
  });
});
