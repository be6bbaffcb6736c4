// The SSE load driver against a small server on 127.0.0.1: reads stamped in arrival order with
// their bytes kept, failures classified, slow readers paced, and the run end cutting streams.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSseLoadDriver } from '../../src/client/sse-driver.ts';

let server: Server;
let origin = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = createServer(async (req, res) => {
    for await (const _ of req) void _;
    if (req.url === '/fail') {
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"busy"}}');
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (req.url === '/reset') {
      res.write('data: {"a":1}\n\n');
      await sleep(10);
      return res.socket?.resetAndDestroy();
    }
    if (req.url === '/big') {
      const block = `data: ${'x'.repeat(1000)}\n\n`;
      for (let i = 0; i < 400 && !res.destroyed; i++) if (!res.write(block)) await new Promise((r) => res.once('drain', r));
      return res.end();
    }
    if (req.url === '/hang') return void res.flushHeaders(); // the head, then silence
    for (let i = 0; i < 3; i++) {
      res.write(`data: {"i":${i}}\n\n`);
      await sleep(15);
    }
    res.end('data: [DONE]\n\n');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const request = (path: string) => ({ path, headers: { 'content-type': 'application/json' }, body: '{}' });
const options = { connections: 8, headersTimeoutMs: 5_000, idleTimeoutMs: 5_000, totalTimeoutMs: 10_000 };

describe('SSE load driver', () => {
  it('keeps every read with a stamp taken on arrival, in order', async () => {
    const driver = createSseLoadDriver({ origin, ...options });
    const origin0 = process.hrtime.bigint();
    const o = await driver.send(request('/ok'), origin0);
    await driver.close();
    expect(o.status).toBe(200);
    expect(o.error).toBeNull();
    expect(Buffer.concat(o.reads.map((r) => r.bytes)).toString()).toBe(
      'data: {"i":0}\n\ndata: {"i":1}\n\ndata: {"i":2}\n\ndata: [DONE]\n\n',
    );
    expect(o.reads.length).toBeGreaterThanOrEqual(2);
    expect(o.headAt! >= origin0).toBe(true);
    for (let i = 1; i < o.reads.length; i++) expect(o.reads[i]!.at >= o.reads[i - 1]!.at).toBe(true);
    expect(o.endAt >= o.reads[o.reads.length - 1]!.at).toBe(true);
  });

  it('classifies refused connections, statuses and mid-body resets', async () => {
    const driver = createSseLoadDriver({ origin, ...options });
    const refused = createSseLoadDriver({ origin: 'http://127.0.0.1:9', ...options });
    const [fail, reset, nothing] = await Promise.all([
      driver.send(request('/fail'), process.hrtime.bigint()),
      driver.send(request('/reset'), process.hrtime.bigint()),
      refused.send(request('/ok'), process.hrtime.bigint()),
    ]);
    await driver.close();
    await refused.close();
    expect(fail).toMatchObject({ status: 503, error: null });
    expect(reset.error?.class).toBe('body');
    expect(reset.reads.length).toBeGreaterThan(0);
    expect(nothing.error?.class).toBe('connect');
  });

  it('times out a stream that goes silent, and cuts open streams at the run end without failing them', async () => {
    const driver = createSseLoadDriver({ origin, ...options, idleTimeoutMs: 100 });
    const silent = await driver.send(request('/hang'), process.hrtime.bigint());
    expect(silent.error?.class).toBe('timeout');
    const open = driver.send(request('/hang'), process.hrtime.bigint());
    await sleep(30);
    expect(driver.inFlight).toBe(1);
    driver.abortAll('cut');
    const cut = await open;
    await driver.close();
    expect(cut.cut).toBe(true);
    expect(cut.error).toBeNull();
  });

  it('a slow reader reads no faster than its rate', async () => {
    const driver = createSseLoadDriver({ origin, ...options, slowReader: { bytesPerSecond: 1_000_000 } });
    const t0 = performance.now();
    const o = await driver.send(request('/big'), process.hrtime.bigint());
    const ms = performance.now() - t0;
    await driver.close();
    const bytes = o.reads.reduce((n, r) => n + r.bytes.length, 0);
    expect(bytes).toBe(400 * 1008);
    // ~403 KB at 1 MB/s: at least ~300 ms (the last pause may be skipped), whatever the machine.
    expect(ms).toBeGreaterThan(250);
  });
});
