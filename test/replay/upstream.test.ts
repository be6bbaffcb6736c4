// The replay upstream over real sockets: exact bytes, request checks that report (never pass
// silently), unarmed slots, endings (reset), and the standalone `streamproof replay` command.
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { cassetteBody, loadCassette, type Cassette } from '../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { run as runReplay } from '../../src/commands/replay.ts';
import { runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { requestProblems } from '../../src/checks/upstream-request.ts';

const cassette = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
let replay: ReplayUpstream | null = null;
afterEach(async () => {
  await replay?.close();
  replay = null;
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const reads: { at: number; bytes: Buffer }[] = [];
  for await (const chunk of res.body as AsyncIterable<Buffer>) reads.push({ at: performance.now(), bytes: chunk });
  return { status: res.statusCode, headers: res.headers, body: Buffer.concat(reads.map((r) => r.bytes)), reads };
}

describe('replay upstream', () => {
  it('serves the cassette bytes exactly and accepts a conforming request', async () => {
    replay = await startReplayUpstream();
    const done = replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const res = await post(`${replay.baseUrl('openai')}/v1/chat/completions`, cassette.upstreamRequest.body, { authorization: 'Bearer x' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.body.equals(cassetteBody(cassette))).toBe(true);
    const exchange = await done;
    expect(requestProblems(exchange)).toEqual([]);
    expect(exchange.completed).toBe(true);
  });

  it('reports every way a request differs from the cassette', async () => {
    replay = await startReplayUpstream();
    const done = replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const wrongBody = { ...(cassette.upstreamRequest.body as object), model: 'other', extra: 1 };
    await post(`${replay.baseUrl('openai')}/v1/chat/completion?x=1`, wrongBody, { 'api-key': 'k' });
    const problems = requestProblems(await done);
    expect(problems).toEqual([
      'path: expected /v1/chat/completions, got /v1/chat/completion',
      'header authorization: required but missing',
      'header api-key: must not be sent',
      'body.model: expected "gpt-5-nano", got "other"',
      'body.extra: unexpected key',
    ]);
  });

  it('answers a request on an unarmed slot with 404 and records it', async () => {
    replay = await startReplayUpstream();
    const res = await post(`${replay.baseUrl('nobody')}/v1/chat/completions`, {});
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('no cassette');
    expect(replay.unexpected).toHaveLength(1);
  });

  it('keeps the recorded gaps at speed 1', async () => {
    replay = await startReplayUpstream();
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 1 });
    const started = performance.now();
    const res = await post(`${replay.baseUrl('openai')}/v1/chat/completions`, cassette.upstreamRequest.body);
    // Timers never fire early: the last read cannot arrive before the last chunk's offset.
    const lastAt = cassette.response.chunks.at(-1)!.at;
    expect(res.reads.at(-1)!.at - started).toBeGreaterThanOrEqual(lastAt - 1);
  });

  it('ends with a TCP reset when the cassette says so', async () => {
    replay = await startReplayUpstream();
    const reset: Cassette = { ...cassette, response: { ...cassette.response, end: 'reset' } };
    replay.arm('openai', { cassette: reset, chunks: reset.response.chunks.slice(0, 2), speed: 0 });
    await expect(post(`${replay.baseUrl('openai')}/v1/chat/completions`, {})).rejects.toThrow();
  });
});

describe('streamproof replay', () => {
  it('serves a cassette standalone until stopped', async () => {
    let out = '';
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const io = { stdin: process.stdin, stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t) };
    const running = runReplay([join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'), '--speed', '0'], io, stopped);
    while (!out.includes('serving')) await new Promise((r) => setTimeout(r, 10));
    const url = /request: {2}POST (\S+)/.exec(out)![1]!;
    const auth = { authorization: 'Bearer sk-test' };
    for (let i = 0; i < 2; i++) {
      const res = await post(url, cassette.upstreamRequest.body, auth);
      expect(res.body.equals(cassetteBody(cassette))).toBe(true);
    }
    // A request unlike the cassette's is still answered, and the log says how it differs.
    await post(url, { ...(cassette.upstreamRequest.body as object), model: 'not-the-recorded-model' }, auth);
    stop();
    expect(await running).toBe(0);
    const logged = out.split('\n').filter((l) => l.startsWith('POST /p/openai/text-usage'));
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatch(/→ openai\/text-usage: \d+ bytes; request matches the cassette$/);
    expect(logged[2]).toContain('request differs: body.model: expected');
    expect(out).not.toContain('sk-test'); // header values are never logged
  });

  it('exits 2 on a bad speed', async () => {
    const r = await runCli(['replay', 'x.yaml', '--speed', 'fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--speed must be a number');
    expect(r.stderr).toContain('usage: streamproof replay');
  });
});
