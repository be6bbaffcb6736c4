// The single-exchange client against hostile answers: an SSE line or event past the parser's
// bounds stops the reading at once, named; the body is held once (the reads are views into it);
// credentials the request carried are masked should the target echo them.
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { sendExchange } from '../../src/client/exchange.ts';
import { startPeer, type Peer } from '../hostile/peers.ts';

const peers: Peer[] = [];
afterAll(async () => {
  for (const p of peers) await p.close();
});

async function peer(name: Parameters<typeof startPeer>[0]): Promise<string> {
  const p = await startPeer(name);
  peers.push(p);
  return p.url;
}

describe('sendExchange bounds', () => {
  it('an event that never ends stops at the event bound, named', async () => {
    const ex = await sendExchange(await peer('endless-event'), {});
    expect(ex.error).toBe('the target sent more than 16777216 bytes of data without ending an SSE event; stopped reading');
    expect(ex.bodyCapped).toBe(true);
    expect(ex.body.length).toBeLessThan(17 * 1024 * 1024 + 64 * 1024);
  });

  it('a 10 MB line stops at the line bound, named', async () => {
    const ex = await sendExchange(await peer('giant-line'), {});
    expect(ex.error).toBe('the target sent an SSE line longer than 4194304 bytes; stopped reading');
    expect(ex.bodyCapped).toBe(true);
  });

  it('a body past maxBodyBytes keeps exactly that many bytes, and the reads are the body', async () => {
    const ex = await sendExchange(await peer('endless-stream'), {}, { maxBodyBytes: 3 * 1024 * 1024 });
    expect(ex.error).toBe(`the response body passed ${3 * 1024 * 1024} bytes; stopped reading`);
    expect(ex.body.length).toBe(3 * 1024 * 1024);
    expect(Buffer.concat(ex.reads.map((r) => r.bytes)).equals(ex.body)).toBe(true);
    expect(ex.reads.every((r) => r.bytes.buffer === ex.body.buffer)).toBe(true); // views, not copies
  });

  it('garbage instead of HTTP is named as such', async () => {
    const ex = await sendExchange(await peer('garbage'), {});
    expect(ex.status).toBe(0);
    expect(ex.error).toMatch(/^the target's answer is not HTTP: /);
  });

  it('echoed credentials are masked in the body (same length, so reads keep their places) and the headers', async () => {
    const key = 'sk-exchange-test-0123456789';
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json', 'x-echo': String(req.headers.authorization) });
      res.write('{"error":{"message":"bad key: Bear');
      setTimeout(() => res.end(`er ${key}, again ${key}"}}`), 20); // split across reads
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const ex = await sendExchange(`http://127.0.0.1:${port}/`, {}, { headers: { authorization: `Bearer ${key}` } });
      const text = ex.body.toString();
      expect(text).not.toContain(key);
      expect(text).toContain('bad key: [redacted]');
      expect(text.length).toBe(`{"error":{"message":"bad key: Bearer ${key}, again ${key}"}}`.length);
      expect(ex.headers['x-echo']).not.toContain(key);
      expect(Buffer.concat(ex.reads.map((r) => r.bytes)).equals(ex.body)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
