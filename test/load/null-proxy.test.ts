// The null proxy: forwards bytes as they come, and holds a request only when it asks to be held
// (the calibration's marked half), never forwarding the marker itself.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELAY_HEADER, startNullProxy, type NullProxy } from '../../src/load/null-proxy.ts';

let upstream: Server;
let proxy: NullProxy;
const seen: Array<{ headers: IncomingHttpHeaders; body: string; atMs: number }> = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, body, atMs: performance.now() });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      res.end('data: two\n\n');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  proxy = await startNullProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => upstream.close(r));
});

function post(headers: Record<string, string>): Promise<{ status: number; body: string; sentMs: number }> {
  const { port } = new URL(proxy.url);
  const sentMs = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentMs }));
    });
    req.on('error', reject);
    req.end('{"stream":true}');
  });
}

describe('null proxy', () => {
  it('forwards a request and its streamed answer as they are, holding nothing it was not asked to', async () => {
    seen.length = 0;
    const r = await post({ 'content-type': 'application/json' });
    expect(r).toMatchObject({ status: 200, body: 'data: one\n\ndata: two\n\n' });
    expect(seen[0]!.body).toBe('{"stream":true}');
    expect(proxy.takeDelayStats().count).toBe(0);
  });

  it(`holds a request that carries ${DELAY_HEADER} that long, without forwarding the header, and reports the delay it applied`, async () => {
    seen.length = 0;
    const r = await post({ 'content-type': 'application/json', [DELAY_HEADER]: '40' });
    expect(r.status).toBe(200);
    expect(seen[0]!.headers[DELAY_HEADER]).toBeUndefined();
    // The proxy re-arms a timer that fired early: the upstream cannot have seen the request before 40 ms.
    expect(seen[0]!.atMs - r.sentMs).toBeGreaterThanOrEqual(40);
    const stats = proxy.takeDelayStats();
    expect(stats.count).toBe(1);
    expect(stats.p50Ms).toBeGreaterThanOrEqual(40);
    expect(stats.p50Ms).toBeLessThanOrEqual(seen[0]!.atMs - r.sentMs); // the hold lies inside the exchange
    expect(proxy.takeDelayStats().count).toBe(0); // taken: the next phase starts afresh
  });

  it('answers 400, naming the header, for a delay that is not a whole number of ms within bounds', async () => {
    for (const bad of ['-1', '2.5', 'soon', '10001']) {
      const r = await post({ [DELAY_HEADER]: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body).toContain(DELAY_HEADER);
    }
  });
});
