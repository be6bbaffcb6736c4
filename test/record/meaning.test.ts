// The expect block a recording gets: decoded by the provider's decoder, folded as an OpenAI
// client reads chunks. Held to every shipped cassette's reviewed expect, byte-exact reads.
import { describe, expect, it } from 'vitest';
import { requestContext } from '../../src/gateway/context.ts';
import { getProvider } from '../../src/providers/index.ts';
import { harnessDecoderContext, meaningOf, type MeaningInput } from '../../src/record/meaning.ts';
import type { Cassette } from '../../src/cassette/cassette.ts';
import { shippedCassettes } from '../helpers/cassettes.ts';

function meaningOfCassette(c: Cassette, overrides: Partial<MeaningInput> = {}) {
  const provider = getProvider(c.provider)!;
  const body = c.request.body;
  const model = String(body['model']);
  const options = body['stream_options'] as { include_usage?: boolean } | undefined;
  return meaningOf({
    provider,
    status: c.response.status,
    contentType: c.response.headers['content-type'] ?? '',
    reads: c.response.chunks.map((ch) => ch.bytes),
    end: c.response.end,
    streaming: c.streaming,
    includeUsage: c.streaming && options?.include_usage === true,
    context: harnessDecoderContext(c.provider, body, model),
    ...overrides,
  });
}

describe('expect from the stream', () => {
  it('invents ids exactly as the reference gateway does in harness runs', () => {
    const body = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }], stream: true };
    const ours = harnessDecoderContext('gemini', body, 'gemini-2.5-flash');
    const raw = Buffer.from(JSON.stringify({ ...body, model: 'gemini/gemini-2.5-flash' }));
    const gateway = requestContext({ model: 'gemini-2.5-flash', rawRequest: raw, maxLineBytes: 1024, fixedCreated: 1 });
    const a = [ours.newId('chatcmpl-'), ours.newId('call_'), ours.newId('call_')];
    const b = [gateway.newId('chatcmpl-'), gateway.newId('call_'), gateway.newId('call_')];
    expect(a).toEqual(b);
    expect(a[2]).toMatch(/^call_[0-9a-f]{24}-2$/);
  });

  // Every shipped cassette: its reviewed expect is what the decoder-derived one says.
  for (const c of shippedCassettes()) {
    it(`agrees with the reviewed expect of ${c.name}`, () => {
      const got = meaningOfCassette(c).expect;
      const want = c.expect;
      expect(got.reviewed).toBe(false);
      expect(got.status ?? 200).toBe(want.status);
      expect(got.text).toBe(want.text);
      expect(got.refusal ?? '').toBe(want.refusal ?? '');
      expect(got.reasoning ?? '').toBe(want.reasoning ?? '');
      expect(got.toolCalls ?? []).toEqual(want.toolCalls);
      if (want.usage) expect(got.usage).toEqual(want.usage);
      expect(got.finishReason).toBe(want.finishReason);
      expect(got.rawFinishReason).toBe(want.rawFinishReason);
      if (want.error) {
        expect(got.error).toBeDefined();
        if (want.error.message !== undefined) expect(got.error?.message).toBe(want.error.message);
      } else expect(got.error).toBeUndefined();
    });
  }

  const openai = shippedCassettes().find((c) => c.name === 'openai/text-usage')!;
  const anthropic = shippedCassettes().find((c) => c.name === 'anthropic/text-usage')!;

  it('names what an exchange exercises', () => {
    const names = new Map(shippedCassettes().map((c) => [c.name, meaningOfCassette(c).exercises]));
    expect(names.get('openai/text-usage')).toBe('text');
    expect(names.get('openai/parallel-tool-calls')).toBe('tool-calls');
    expect(names.get('openai/refusal')).toBe('refusal');
    expect(names.get('openai/mid-stream-error')).toBe('mid-stream-error');
    expect(names.get('openai/non-stream')).toBe('non-stream-text');
    expect(names.get('gemini/truncated')).toBe('truncated');
    expect(names.get('xai/length')).toBe('length');
    expect(names.get('openai-responses/failed-rate-limit')).toBe('stream-error');
  });

  it('reads an error status as the status and the provider message the gateway passes on', () => {
    const body = '{"error":{"message":"Rate limit reached for gpt-5-nano","type":"requests","param":null,"code":"rate_limit_exceeded"}}';
    const m = meaningOfCassette(openai, { status: 429, contentType: 'application/json', reads: [Buffer.from(body)] });
    expect(m.exercises).toBe('error-429');
    expect(m.expect).toEqual({
      reviewed: false,
      status: 429,
      text: '',
      finishReason: null,
      error: { message: 'Rate limit reached for gpt-5-nano', type: 'requests' },
    });
    const plain = meaningOfCassette(openai, { status: 502, contentType: 'text/html', reads: [Buffer.from('<html>bad gateway</html>')] });
    expect(plain.expect.error).toEqual({ type: 'upstream_error' });
  });

  it('a reset or a hang before the end of the stream is an error without a message; after the end it is not', () => {
    const cut = meaningOfCassette(openai, { reads: openai.response.chunks.slice(0, 3).map((ch) => ch.bytes), end: 'reset' });
    expect(cut.exercises).toBe('reset');
    expect(cut.expect.error).toEqual({});
    expect(cut.expect.text).toBe('Hello there,');
    const hang = meaningOfCassette(anthropic, { end: 'hang' });
    expect(hang.expect.error).toBeUndefined();
    expect(hang.expect.text).toBe(anthropic.expect.text);
  });

  it('a non-streaming client of a provider read as a stream gets one answer, or the error with its status', () => {
    const whole = meaningOfCassette(anthropic, { streaming: false });
    expect(whole.exercises).toBe('non-stream-text');
    expect(whole.expect.usage).toEqual(anthropic.expect.usage);
    const overloaded = shippedCassettes().find((c) => c.name === 'anthropic/overloaded-error')!;
    const failed = meaningOfCassette(overloaded, { streaming: false });
    // The decoder gives Anthropic's overloaded_error the status Anthropic uses for it, as the gateway answers.
    expect(failed.expect).toMatchObject({ status: 529, text: '', error: { message: 'Overloaded', type: 'overloaded_error' } });
    expect(failed.exercises).toBe('non-stream-error-529');
  });
});
