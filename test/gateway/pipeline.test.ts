// Both pipelines, driven directly with exact read boundaries: every cassette's output must not
// depend on where the upstream reads fall (every two-piece split, and one byte per read).
import { describe, expect, it } from 'vitest';
import { cassetteBody } from '../../src/cassette/cassette.ts';
import { createNormalizingPipeline, createPassthroughPipeline, type StreamPipeline } from '../../src/gateway/pipeline.ts';
import { getProvider } from '../../src/providers/index.ts';
import type { DecoderContext } from '../../src/providers/types.ts';
import { readOpenAIStream } from '../../src/checks/semantic.ts';
import { shippedCassettes } from '../helpers/cassettes.ts';

const context: DecoderContext = { model: 'm', now: () => 1_700_000_000, newId: (p) => `${p}fixed` };

function run(make: () => StreamPipeline, reads: Buffer[]): string {
  const p = make();
  let out = '';
  for (const r of reads) out += p.feed(r).toString();
  return out + p.end();
}

const streaming = shippedCassettes().filter((c) => c.streaming);

describe.each(streaming.map((c) => [c.name, c] as const))('%s', (_name, cassette) => {
  const provider = getProvider(cassette.provider)!;
  const body = cassetteBody(cassette);
  const includeUsage = (cassette.request.body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
  const makers: [string, () => StreamPipeline][] = [['normalize', () => createNormalizingPipeline({ provider, context, includeUsage })]];
  if (provider.supportsPassthrough) makers.push(['passthrough', () => createPassthroughPipeline()]);

  it.each(makers)('%s output is the same for every split', (_mode, make) => {
    const whole = run(make, [body]);
    for (let i = 1; i < body.length; i++) {
      // expect() only on a difference: thousands of passing expect() calls cost more than the splits.
      const split = run(make, [body.subarray(0, i), body.subarray(i)]);
      if (split !== whole) expect(split, `split at ${i}`).toBe(whole);
    }
    const bytewise = [...body].map((b) => Buffer.from([b]));
    expect(run(make, bytewise)).toBe(whole);
  });

  it('normalized output carries the cassette text and ends as the cassette says', () => {
    const out = readOpenAIStream(Buffer.from(run(makers[0]![1], [body])));
    expect(out.text).toBe(cassette.expect.text);
    expect(out.finishReason).toBe(cassette.expect.finishReason);
    expect(out.sawDone).toBe(cassette.expect.error === undefined);
    expect(out.error !== null).toBe(cassette.expect.error !== undefined);
  });
});

describe('passthrough', () => {
  it('forwards upstream bytes unchanged and event-aligned', () => {
    const p = createPassthroughPipeline();
    const a = p.feed(Buffer.from('data: {"a":1}\n\nda'));
    expect(a.toString()).toBe('data: {"a":1}\n\n');
    expect(p.feed(Buffer.from('ta: [DONE]\r\n\r\n')).toString()).toBe('data: [DONE]\r\n\r\n');
    expect(p.end()).toBe('');
  });

  it('ends a stream cut before [DONE] with an error event', () => {
    const p = createPassthroughPipeline();
    p.feed(Buffer.from('data: {"a":1}\n\ndata: {"b"'));
    const tail = p.end();
    expect(tail).toMatch(/^data: \{"error":\{"message":"upstream stream ended before \[DONE\]"/);
  });
});

describe('normalize', () => {
  const provider = getProvider('openai')!;
  it('turns invalid JSON from upstream into a terminal error, never a crash', () => {
    const p = createNormalizingPipeline({ provider, context, includeUsage: false });
    const out =
      p.feed(Buffer.from('data: {"id":"x","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: {oops\n\ndata: [DONE]\n\n')) + p.end();
    const seen = readOpenAIStream(Buffer.from(out));
    expect(seen.text).toBe('hi');
    expect(seen.error?.message).toMatch(/not JSON/);
    expect(seen.sawDone).toBe(false);
  });

  it('reports an oversized upstream line as an error', () => {
    const p = createNormalizingPipeline({ provider, context: { ...context, maxLineBytes: 64 }, includeUsage: false });
    const out = p.feed(Buffer.from(`data: ${'x'.repeat(100)}`)) + p.end();
    expect(readOpenAIStream(Buffer.from(out)).error?.message).toMatch(/longer than 64 bytes/);
  });
});
