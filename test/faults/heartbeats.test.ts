// Heartbeats can never land inside an event: for any split of the upstream body into reads and
// any pauses between them (long enough for several heartbeats), the client's bytes with the
// heartbeats removed are exactly the golden, and every heartbeat sits between two whole events.
// Covers both modes (passthrough forwards half events only once they are whole) and CRLF streams
// (a read may end between the CR and the LF of a blank line).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassetteBody, goldenPath, loadCassette, type Cassette, type ReplayChunk } from '../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { faultGatewayConfig } from '../../src/scenario/kinds/fault/run.ts';
import { stripHeartbeats } from '../../src/scenario/kinds/fault/checks.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const textUsage = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const midStreamError = loadCassette(join(REPO_ROOT, 'fixtures/openai/mid-stream-error.yaml'));
const crlfBody = Buffer.from(cassetteBody(textUsage).toString('latin1').replaceAll('\n', '\r\n'), 'latin1');

interface Subject {
  name: string;
  cassette: Cassette;
  body: Buffer;
  expected(mode: 'normalize' | 'passthrough'): Buffer;
}

const subjects: Subject[] = [
  { name: 'text-usage', cassette: textUsage, body: cassetteBody(textUsage), expected: (m) => readFileSync(goldenPath(textUsage, m)) },
  {
    name: 'mid-stream-error',
    cassette: midStreamError,
    body: cassetteBody(midStreamError),
    expected: (m) => readFileSync(goldenPath(midStreamError, m)),
  },
  // Passthrough forwards the CRLF bytes unchanged; normalizing them gives the LF golden.
  {
    name: 'text-usage (CRLF)',
    cassette: textUsage,
    body: crlfBody,
    expected: (m) => (m === 'passthrough' ? crlfBody : readFileSync(goldenPath(textUsage, m))),
  },
];

/** The body cut at the given offsets, with a pause before every piece after the first. */
function pausedReads(body: Buffer, cuts: number[], pauseMs: number): ReplayChunk[] {
  const offsets = [...new Set(cuts.map((c) => 1 + (c % (body.length - 1))))].sort((a, b) => a - b);
  const bounds = [0, ...offsets, body.length];
  return bounds.slice(0, -1).map((start, i) => ({ bytes: body.subarray(start, bounds[i + 1]), at: i * pauseMs }));
}

describe.each(['normalize', 'passthrough'] as const)('heartbeats between whole events (%s)', (mode) => {
  let replay: ReplayUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    replay = await startReplayUpstream();
    gateway = await startGateway(faultGatewayConfig(replay, mode, { heartbeatMs: 3, routes: [] }, 1));
  });
  afterAll(async () => {
    await gateway.close();
    await replay.close();
  });

  it.each(subjects.map((s) => [s.name, s] as const))('%s, any reads and pauses', async (_name, subject) => {
    const expected = subject.expected(mode);
    const body = { ...subject.cassette.request.body, model: `openai/${String(subject.cassette.request.body['model'])}` };
    let heartbeats = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), async (cuts) => {
        const chunks = pausedReads(subject.body, cuts, 12);
        replay.arm('openai', { cassette: subject.cassette, chunks, speed: 1 });
        const res = await request(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) });
        const found = stripHeartbeats(Buffer.from(await res.body.arrayBuffer()));
        heartbeats += found.between;
        expect(found.inside, 'a heartbeat inside an event').toBe(0);
        expect(found.body.equals(expected), `cuts ${JSON.stringify(cuts)}: output differs from the golden`).toBe(true);
      }),
      // Always tried: a pause right after the first blank line's second CR (or LF), before its LF.
      { numRuns: 10, seed: 6, examples: [[[subject.body.indexOf('\r\n\r\n') + 2]], [[subject.body.indexOf('\n\n') + 1]]] },
    );
    expect(heartbeats, 'the pauses were long enough for heartbeats').toBeGreaterThan(0);
  });
});
