// Per-stream timings from stamped reads, with hand-made stamps: the definitions of TTFB, TTFE,
// TTFT, ITL, TPOT, E2E and stalls, and how a failed stream is classified.
import { describe, expect, it } from 'vitest';
import { getProvider } from '../../src/providers/index.ts';
import { analyzeStream, type StampedRead } from '../../src/client/stream-analysis.ts';
import { evaluateStream, expectationState } from '../../src/checks/stream-check.ts';
import type { StreamOutcome } from '../../src/client/sse-driver.ts';
import { checkSequence, syntheticCassette, syntheticToken } from '../../src/cassette/synthetic.ts';
import { cassetteBody } from '../../src/cassette/cassette.ts';

const openai = getProvider('openai')!;
const ctx = { model: 'm', now: () => 0, newId: (p: string) => `${p}x` };
const MS = 1_000_000n;
const chunk = (delta: string, finish = 'null') =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},"finish_reason":${finish}}]}\n\n`;
const read = (ms: bigint, text: string): StampedRead => ({ at: ms * MS, bytes: Buffer.from(text) });

describe('analyzeStream', () => {
  const reads = [
    read(12n, ': keep-alive\n\n'),
    read(15n, chunk('{"role":"assistant","content":""}')),
    read(20n, chunk('{"content":"Hel"}') + chunk('{"content":"lo"}')),
    read(50n, chunk('{"content":"!"}')),
    read(3_100n, `${chunk('{}', '"stop"')}data: [DONE]\n\n`),
  ];
  const t = analyzeStream({ origin: 0n, headAt: 10n * MS, reads, decoder: openai.createStreamDecoder(ctx), stallNs: 2_000 * 1e6 });

  it('stamps each milestone with the read that completed it', () => {
    expect(t.ttfbNs).toBe(10e6);
    expect(t.ttfeNs).toBe(15e6); // the comment at 12 ms is not an event
    expect(t.ttftNs).toBe(20e6); // the role chunk with "" carries no content
    expect(t.e2eNs).toBe(3_100e6);
  });

  it('measures ITL between content events (0 when they shared a read) and TPOT', () => {
    expect(t.itlNs).toEqual([0, 30e6]);
    expect(t.contentEvents).toBe(3);
    expect(t.tpotNs).toBe((3_100e6 - 20e6) / 2);
  });

  it('counts a gap longer than the stall limit', () => {
    expect(t.stalls).toBe(1);
    expect(t.errorEvent).toBeNull();
  });

  it('reports a stream cut before [DONE] as an error event (truncated)', () => {
    const cut = analyzeStream({
      origin: 0n,
      headAt: 0n,
      reads: reads.slice(0, 3),
      decoder: openai.createStreamDecoder(ctx),
      stallNs: 1e12,
    });
    expect(cut.errorEvent?.kind).toBe('truncated');
  });
});

describe('evaluateStream', () => {
  const outcome = (body: Buffer, extra: Partial<StreamOutcome> = {}): StreamOutcome => ({
    origin: 0n,
    headAt: 1n * MS,
    endAt: 9n * MS,
    status: 200,
    reads: [
      { at: 2n * MS, bytes: body.subarray(0, 40) },
      { at: 3n * MS, bytes: body.subarray(40) },
    ],
    bytes: body.length,
    error: null,
    cut: false,
    ...extra,
  });
  const golden = Buffer.from(
    `${chunk('{"role":"assistant","content":""}') + chunk('{"content":"Hi"}') + chunk('{}', '"stop"')}data: [DONE]\n\n`,
  );
  const expectation = (expected: Buffer | null, syntheticTokens: number | null = null) =>
    expectationState({ decoder: openai, fidelity: true, expected, masks: [], syntheticTokens, errorExpected: false });

  it('passes a stream equal to its golden', () => {
    const r = evaluateStream(outcome(golden), expectation(golden), 1e12);
    expect(r.failure).toBeNull();
    expect(r.frames).toMatchObject({ lost: 0, corrupted: 0, reordered: 0, extra: 0 });
  });

  it('detects a deliberately corrupted golden as a corrupted frame, and says where', () => {
    const corrupted = Buffer.from(golden.toString().replace('"Hi"', '"Ho"'));
    const r = evaluateStream(outcome(golden), expectation(corrupted), 1e12);
    expect(r.frames).toMatchObject({ corrupted: 1, lost: 0 });
    expect(r.mismatch).toMatch(/first difference at byte \d+ \(event 1\)/);
  });

  it('classifies status, transport and in-stream failures', () => {
    expect(evaluateStream(outcome(golden, { status: 503 }), expectation(golden), 1e12).failure?.class).toBe('http_5xx');
    expect(
      evaluateStream(outcome(golden, { error: { class: 'body', message: 'ECONNRESET' } }), expectation(golden), 1e12).failure?.class,
    ).toBe('body');
    const truncated = golden.subarray(0, golden.indexOf('data: [DONE]'));
    expect(evaluateStream(outcome(truncated), expectation(golden), 1e12).failure?.class).toBe('incomplete');
    const errored = Buffer.from(`${chunk('{"content":"Hi"}')}data: {"error":{"message":"boom","type":"server_error"}}\n\n`);
    expect(evaluateStream(outcome(errored), expectation(golden), 1e12).failure?.class).toBe('stream_error');
  });

  it('learns the reference from the first stream when there is no golden, and checks numbered tokens', () => {
    const c = syntheticCassette({ tokens: 12, gapMs: 0 });
    const body = cassetteBody(c);
    const state = expectation(null, 12);
    expect(evaluateStream(outcome(body), state, 1e12).frames).toMatchObject({ lost: 0, reordered: 0 });
    const swapped = Buffer.from(
      body
        .toString()
        .replace(JSON.stringify(syntheticToken(3)), 'X')
        .replace(JSON.stringify(syntheticToken(4)), JSON.stringify(syntheticToken(3)))
        .replace('X', JSON.stringify(syntheticToken(4))),
    );
    const r = evaluateStream(outcome(swapped), state, 1e12);
    expect(r.frames!.reordered).toBeGreaterThan(0);
  });
});

describe('generated streams', () => {
  it('carry N numbered tokens, the first with the role chunk', () => {
    const c = syntheticCassette({ tokens: 50, gapMs: 10 });
    expect(c.response.chunks[1]!.at).toBe(0);
    expect(c.response.chunks[2]!.at).toBe(10);
    expect(c.expect.text.split(' w').length - 1).toBe(50);
  });

  it('sequence check: lost, reordered, corrupted', () => {
    const tokens = Array.from({ length: 5 }, (_, i) => syntheticToken(i + 1));
    expect(checkSequence(tokens, 5)).toEqual({ lost: 0, reordered: 0, corrupted: 0 });
    expect(checkSequence([tokens[0]!, tokens[2]!, tokens[1]!, tokens[4]!], 5)).toEqual({ lost: 1, reordered: 1, corrupted: 0 });
    expect(checkSequence([...tokens, tokens[0]!, ' garbage'], 5)).toEqual({ lost: 0, reordered: 0, corrupted: 2 });
  });
});
