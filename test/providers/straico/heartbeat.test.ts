// Straico never streams, so the gateway synthesises the client's stream: the role chunk at once,
// `: keep-alive` comments while Straico works, then the whole answer. Replayed at speed 1 with the
// answer 1.2 s late, the client must see heartbeats, each a whole comment between whole events,
// and, once they are removed, exactly the golden output. Only orderings are asserted, never how
// fast anything was.
import { readOpenAIStream } from '../../../src/checks/semantic.ts';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendExchange, type Exchange } from '../../../src/client/exchange.ts';
import { cassetteBody, goldenPath, loadCassette } from '../../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../../src/target/target.ts';
import { createSseParser } from '../../../src/sse/parser.ts';
import { REPO_ROOT } from '../../helpers/cassettes.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const HEARTBEAT = Buffer.from(': keep-alive\n\n');
const ANSWER_AT_MS = 1200;
const cassette = loadCassette(join(REPO_ROOT, 'fixtures/straico/chat-text.yaml'));
const request = { ...cassette.request.body, model: `straico/${String(cassette.request.body['model'])}` };

interface Framing {
  /** Offsets of every heartbeat found in the body. */
  heartbeats: number[];
  /** Offsets just past every blank line, as the SSE parser reports them. */
  boundaries: Set<number>;
  comments: string[];
}

function framing(body: Buffer): Framing {
  const boundaries = new Set<number>();
  const comments: string[] = [];
  const parser = createSseParser({ onEvent: () => undefined, onComment: (t) => comments.push(t), onBoundary: (o) => boundaries.add(o) });
  parser.feed(body);
  parser.end();
  const heartbeats: number[] = [];
  for (let at = body.indexOf(HEARTBEAT); at !== -1; at = body.indexOf(HEARTBEAT, at + HEARTBEAT.length)) heartbeats.push(at);
  return { heartbeats, boundaries, comments };
}

function withoutHeartbeats(body: Buffer, heartbeats: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (const at of heartbeats) {
    parts.push(body.subarray(pos, at));
    pos = at + HEARTBEAT.length;
  }
  parts.push(body.subarray(pos));
  return Buffer.concat(parts);
}

/** Index of the read that holds the byte at `offset`. */
function readAt(client: Exchange, offset: number): number {
  let end = 0;
  for (let i = 0; i < client.reads.length; i++) {
    end += client.reads[i]!.bytes.length;
    if (offset < end) return i;
  }
  throw new Error(`offset ${offset} is past the body`);
}

let replay: ReplayUpstream;
let gateway: RunningGateway;
beforeAll(async () => {
  replay = await startReplayUpstream();
  gateway = await startGateway({ ...harnessGatewayConfig(replay, 'normalize'), heartbeatMs: 100 });
});
afterAll(async () => {
  await gateway.close();
  await replay.close();
});

describe('straico through the gateway at speed 1', () => {
  it('keeps the client stream alive with whole heartbeats between whole events while Straico works', async () => {
    const exchange = replay.arm('straico', { cassette, chunks: [{ bytes: cassetteBody(cassette), at: ANSWER_AT_MS }], speed: 1 });
    const client = await sendExchange(`${gateway.url}/v1/chat/completions`, request, { timeoutMs: 20_000 });
    expect(requestProblems(await exchange)).toEqual([]);
    expect(client.status).toBe(200);
    const body = client.body;
    const { heartbeats, boundaries, comments } = framing(body);

    expect(heartbeats.length).toBeGreaterThanOrEqual(1);
    // Every comment the parser saw is one of these heartbeats, and each stands alone: it starts
    // where an event (or another heartbeat) ended and ends with its own blank line.
    expect(comments).toEqual(heartbeats.map(() => ' keep-alive'));
    for (const at of heartbeats) {
      expect(boundaries.has(at), `heartbeat at ${at} starts inside an event`).toBe(true);
      expect(boundaries.has(at + HEARTBEAT.length), `heartbeat at ${at} is not followed by a blank line`).toBe(true);
    }

    // The role chunk came first, before Straico answered: heartbeats sit between it and the answer.
    const roleEnd = body.indexOf('\n\n') + 2;
    expect(body.subarray(0, roleEnd).toString()).toMatch(/^data: \{.*"delta":\{"role":"assistant","content":""\}/);
    const answerAt = body.indexOf('"content":"A sourdough');
    expect(heartbeats[0]).toBe(roleEnd);
    expect(heartbeats.some((h) => h > roleEnd && h < answerAt)).toBe(true);
    expect(client.reads[readAt(client, 0)]!.at).toBeLessThan(client.reads[readAt(client, answerAt)]!.at);
    // The answer cannot have come before the upstream sent it.
    expect(Number(client.reads[readAt(client, answerAt)]!.at - client.startedAt) / 1e6).toBeGreaterThanOrEqual(ANSWER_AT_MS - 1);

    // Without the heartbeats, the output is the reviewed golden.
    expect(withoutHeartbeats(body, heartbeats).toString('utf8')).toBe(readFileSync(goldenPath(cassette, 'normalize'), 'utf8'));
  });

  // A real Straico sends its response headers only with the answer: the gateway must not wait for
  // them before opening the client stream (role chunk, heartbeats), or the client waits in silence
  // for the whole generation. The replay upstream above sends headers at once; this server does not.
  it('keeps the client alive even when Straico sends its headers only with the answer', async () => {
    const late: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(cassetteBody(cassette));
        }, ANSWER_AT_MS);
      });
    });
    late.listen(0, '127.0.0.1');
    await once(late, 'listening');
    const config = { ...harnessGatewayConfig(replay, 'normalize'), heartbeatMs: 100 };
    for (const route of config.routes)
      if (route.provider === 'straico') route.baseUrl = `http://127.0.0.1:${(late.address() as AddressInfo).port}`;
    const lateGateway = await startGateway(config);
    try {
      const client = await sendExchange(`${lateGateway.url}/v1/chat/completions`, request, { timeoutMs: 20_000 });
      const { heartbeats } = framing(client.body);
      expect(heartbeats.length).toBeGreaterThanOrEqual(1);
    } finally {
      await lateGateway.close();
      late.close();
    }
  });

  it('turns an error status that arrives after the client stream opened into an error event', async () => {
    const late: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          res.writeHead(429, { 'content-type': 'application/json' });
          res.end('{"success":false,"error":"Too many requests, slow down"}');
        }, 400);
      });
    });
    late.listen(0, '127.0.0.1');
    await once(late, 'listening');
    const config = { ...harnessGatewayConfig(replay, 'normalize'), heartbeatMs: 100 };
    for (const route of config.routes)
      if (route.provider === 'straico') route.baseUrl = `http://127.0.0.1:${(late.address() as AddressInfo).port}`;
    const lateGateway = await startGateway(config);
    try {
      const client = await sendExchange(`${lateGateway.url}/v1/chat/completions`, request, { timeoutMs: 20_000 });
      expect(client.status).toBe(200);
      const seen = readOpenAIStream(client.body);
      expect(seen.sawDone).toBe(false);
      expect(seen.error?.message).toContain('upstream answered 429');
      expect(seen.error?.message).toContain('Too many requests, slow down');
    } finally {
      await lateGateway.close();
      late.close();
    }
  });
});
