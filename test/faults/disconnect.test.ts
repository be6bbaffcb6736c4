// A client that goes away, seen on the raw socket (no request signal involved): before the
// upstream answered, after its headers, and mid-stream. The gateway must close the upstream
// request at once, and once everything is closed no socket or timer may be left behind.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import type { UpstreamFault } from '../../src/cassette/schema.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { faultGatewayConfig } from '../../src/scenario/kinds/fault/run.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const cassette = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const body = JSON.stringify({ ...cassette.request.body, model: 'openai/gpt-5-nano' });

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

async function until(condition: () => boolean, ms = 2_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** True if the promise settles within ms (the timer is cleared either way: this test counts timers). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const stop = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), sleep(ms, false, { signal: stop.signal })]);
  } finally {
    stop.abort();
  }
}

/** A raw HTTP/1.1 client: resolves with the socket once `bytes` response bytes arrived. */
function rawRequest(port: number, waitForBytes: number): Promise<{ socket: Socket; received: () => string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      if (waitForBytes === 0) resolve({ socket, received: () => text });
    });
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (waitForBytes > 0 && text.length >= waitForBytes) resolve({ socket, received: () => text });
    });
    socket.on('error', reject);
  });
}

describe('client disconnect', () => {
  let replay: ReplayUpstream;
  let gateway: RunningGateway;
  let baselineTimers: number;

  beforeAll(async () => {
    baselineTimers = timers();
    replay = await startReplayUpstream({ maxHangMs: 20_000 });
    // Long clocks: only the disconnect may end these exchanges within the test's bounds.
    gateway = await startGateway(
      faultGatewayConfig(
        replay,
        'normalize',
        { timeouts: { firstByteMs: 20_000, idleMs: 20_000 }, retry: { maxAttempts: 3 }, routes: [] },
        1,
      ),
    );
  });
  afterAll(async () => {
    await gateway.close();
    await replay.close();
  });

  const points: [string, UpstreamFault, number][] = [
    ['before the upstream answered', { fault: 'stall-before-headers', ms: 20_000 }, 0],
    ['after the upstream headers, before any event', { fault: 'stall-after-headers', ms: 20_000 }, 0],
    ['mid-stream', { fault: 'hang-mid-stream', afterChunk: 3 }, 200],
  ];

  it.each(points)('closes the upstream request when the socket closes %s', async (_name, fault, waitForBytes) => {
    const exchange = replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0, fault });
    const served = replay.served('openai');
    const client = await rawRequest(gateway.port, waitForBytes);
    expect(await until(() => replay.activeExchanges === 1)).toBe(true);
    if (waitForBytes > 0) expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    client.socket.destroy();
    const closed = await within(exchange, 1_000);
    expect(closed, 'the upstream request outlived its client').toBe(true);
    expect(await until(() => gateway.inFlight === 0)).toBe(true);
    expect(replay.activeExchanges).toBe(0);
    expect(gateway.activeStreams).toBe(0);
    await sleep(60); // no retry may follow a client that left
    expect(replay.served('openai')).toBe(served + 1);
  });

  it('leaves no upstream socket or timer behind once closed', async () => {
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const client = await rawRequest(gateway.port, 1);
    await until(() => client.received().includes('[DONE]'));
    client.socket.destroy();
    await gateway.close();
    expect(await until(() => replay.openConnections === 0)).toBe(true);
    await replay.close();
    expect(await until(() => timers() <= baselineTimers, 200), process.getActiveResourcesInfo().join(', ')).toBe(true);
  });
});
