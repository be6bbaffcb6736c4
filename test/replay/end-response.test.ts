// Ending a replayed response settles whether the response finishes or its connection dies first:
// a connection that fails just as the body ends never emits 'finish', and an exchange waiting for
// it alone stayed open for ever.
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { endResponse } from '../../src/replay/play.ts';

/** One request to a server whose handler is `handle`; resolves with what the handler resolved (bounded: 3 s). */
async function serveOnce<T>(handle: (res: ServerResponse) => Promise<T>): Promise<{ result: T | 'timed out'; body: string }> {
  let settle!: (v: T | 'timed out') => void;
  const result = new Promise<T | 'timed out'>((r) => (settle = r));
  const server = createServer((_req, res) => {
    const timer = setTimeout(() => settle('timed out'), 3_000);
    void handle(res).then((v) => {
      clearTimeout(timer);
      settle(v);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const body = await new Promise<string>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
      res.on('error', () => resolve(text));
    });
    req.on('error', () => resolve(''));
    req.end();
  });
  const out = { result: await result, body };
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  return out;
}

describe('endResponse', () => {
  it('resolves once the body is out, and the client gets all of it', async () => {
    const { result, body } = await serveOnce(async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      await endResponse(res, 'data: [DONE]\n\n');
      return res.writableFinished;
    });
    expect(result).toBe(true);
    expect(body).toBe('data: one\n\ndata: [DONE]\n\n');
  });

  it('resolves when the connection fails just as the body ends (no finish event ever comes)', async () => {
    const { result } = await serveOnce(async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      let finished = false;
      res.on('finish', () => (finished = true));
      res.socket?.destroy(new Error('connection reset by the gateway'));
      await endResponse(res);
      return { finished };
    });
    // Waiting for 'finish' alone would have timed out here.
    expect(result).toEqual({ finished: false });
  });
});
