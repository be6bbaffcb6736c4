// The replay upstream's fault injection, seen by a plain HTTP client: each fault happens where it
// says, a cassette can carry a fault of its own, and a stall ends (with its timer) as soon as the
// client leaves.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import type { UpstreamFault } from '../../src/cassette/schema.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const file = join(REPO_ROOT, 'fixtures/openai/text-usage.yaml');
const cassette = loadCassette(file);
let replay: ReplayUpstream;

beforeAll(async () => {
  replay = await startReplayUpstream({ maxHangMs: 3_000 });
});
afterAll(() => replay.close());

async function call(fault: UpstreamFault, signal?: AbortSignal) {
  const exchange = replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0, fault });
  const started = performance.now();
  try {
    const res = await request(`${replay.baseUrl('openai')}/v1/chat/completions`, { method: 'POST', body: '{}', signal });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, ms: performance.now() - started, exchange: await exchange };
  } catch (err) {
    return {
      status: 0,
      headers: {} as Record<string, string | string[] | undefined>,
      text: '',
      error: (err as { code?: string }).code ?? String(err),
      ms: performance.now() - started,
      exchange: await exchange,
    };
  }
}

describe('replay faults', () => {
  it('answers an error status with an OpenAI-shaped body and the retry headers', async () => {
    const r = await call({ fault: 'status', status: 429, retryAfter: 0.05, retryAfterMs: 50 });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('0.05');
    expect(r.headers['retry-after-ms']).toBe('50');
    expect(JSON.parse(r.text)).toEqual({
      error: {
        message: 'Rate limit reached for requests. Please try again shortly.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    expect(r.exchange.fault).toBe('status');
  });

  it('drops the connection before headers', async () => {
    const r = await call({ fault: 'drop-before-headers' });
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  });

  it('cuts the body after n reads: EOF, reset, in-band error', async () => {
    const eof = await call({ fault: 'eof-mid-stream', afterChunk: 2 });
    expect(eof.text).toBe(Buffer.concat(cassette.response.chunks.slice(0, 2).map((c) => c.bytes)).toString());
    const reset = await call({ fault: 'reset-mid-stream', afterChunk: 2 });
    expect(reset.error).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    const inBand = await call({ fault: 'error-event', afterChunk: 1, message: 'boom', type: 'server_error', code: null });
    expect(inBand.text.endsWith('data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n')).toBe(true);
  });

  it('stalls for the given time, then serves the rest as recorded', async () => {
    const r = await call({ fault: 'stall-mid-stream', afterChunk: 2, ms: 80 });
    expect(r.ms).toBeGreaterThanOrEqual(70);
    expect(r.text).toContain('data: [DONE]');
  });

  it('ends a stall, with its timer, as soon as the client leaves', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 30);
    const r = await call({ fault: 'stall-before-headers', ms: 60_000 }, stop.signal);
    expect(r.status).toBe(0);
    expect(r.exchange.bytesSent).toBe(0);
    expect(r.exchange.endedAt! - r.exchange.startedAt!).toBeLessThan(1_000);
    await sleep(5);
    expect(replay.activeExchanges).toBe(0);
  });

  it('plays a fault a cassette carries itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamproof-fault-cassette-'));
    const copy = join(dir, 'eof.yaml');
    writeFileSync(
      copy,
      readFileSync(file, 'utf8').replace('  status: 200\n', '  status: 200\n  fault: {fault: eof-mid-stream, afterChunk: 1}\n'),
    );
    const faulty = loadCassette(copy);
    expect(faulty.response.fault).toEqual({ fault: 'eof-mid-stream', afterChunk: 1 });
    replay.arm('openai', { cassette: faulty, chunks: faulty.response.chunks, speed: 0 });
    const res = await request(`${replay.baseUrl('openai')}/x`, { method: 'POST', body: '{}' });
    expect(await res.body.text()).toBe(faulty.response.chunks[0]!.bytes.toString());
  });
});
