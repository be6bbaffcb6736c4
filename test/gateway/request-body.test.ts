// A client's request body is bounded in size and in time: a declared length over the limit is
// refused before anything is read, and a body that stalls (or is shorter than declared) is
// answered 408 instead of holding the connection open.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';

let replay: ReplayUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  replay = await startReplayUpstream();
  const config = harnessGatewayConfig(replay, 'normalize');
  gateway = await startGateway({ ...config, limits: { ...config.limits, bodyReadMs: 300 } });
});
afterAll(async () => {
  await gateway.close();
  await replay.close();
});

/** Writes raw request bytes and returns everything the gateway sent back until it closed (bounded). */
function rawExchange(head: string, body: string): Promise<string> {
  const url = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let out = '';
    const guard = setTimeout(() => {
      socket.destroy();
      resolve(`${out}[still open after 5 s]`);
    }, 5_000);
    socket.on('connect', () => socket.write(`${head}\r\n\r\n${body}`));
    socket.on('data', (d) => {
      out += d.toString('utf8');
    });
    socket.on('close', () => {
      clearTimeout(guard);
      resolve(out);
    });
    socket.on('error', reject);
  });
}

const HEAD = 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json';

describe('request bodies', () => {
  it('a declared length over the limit is refused at once', async () => {
    const out = await rawExchange(`${HEAD}\r\ncontent-length: 999999999`, '{"model":');
    expect(out).toMatch(/^HTTP\/1\.1 413 /);
    expect(out).toContain('request body of 999999999 bytes exceeds 16777216 bytes');
    expect(out).not.toContain('[still open');
  });

  it('a body shorter than declared is answered 408 once the read clock runs out', async () => {
    const out = await rawExchange(`${HEAD}\r\ncontent-length: 100`, '{"model":"openai/x"');
    expect(out).toMatch(/^HTTP\/1\.1 408 /);
    expect(out).toContain('request body not received within 300 ms');
    expect(out).not.toContain('[still open');
  });
});
