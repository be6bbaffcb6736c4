// The live-serialization cassettes (fixtures/<provider>/live-serialization.yaml) are the only ones
// that carry the serialization quirks of live streams that docs/provider-formats.md describes:
// Anthropic's padding before the closing "}", its ping and message_start key order (section 4,
// "Quirks"; Vertex relays them, 6b), Google's JSON style (section 5 "JSON style", 6a) and Bedrock's
// `p` padding field (7c). Two things are checked here, so a rebuild that drops a quirk, or a decoder
// that reads one wrongly, fails:
// - the quirk is in the bytes (a cassette re-derived from tidy documentation examples would lose it);
// - the cassette decodes to exactly the canonical events of the same stream written plainly
//   (compact JSON, no padding, no `p`), fed in the cassette's own reads: the quirk carries no meaning.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { CanonicalEvent } from '../../src/canonical/events.ts';
import { cassetteBody, loadCassette, type Cassette } from '../../src/cassette/cassette.ts';
import { encodeFrame } from '../../src/eventstream/codec.ts';
import { readAllFrames } from '../../src/eventstream/frame-reader.ts';
import { getProvider } from '../../src/providers/index.ts';
import type { DecoderContext } from '../../src/providers/types.ts';
import { createSseParser, type SseEvent } from '../../src/sse/parser.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const load = (provider: string): Cassette => loadCassette(join(REPO_ROOT, 'fixtures', provider, 'live-serialization.yaml'));

function context(): DecoderContext {
  let n = 0;
  return { model: 'test-model', now: () => 1_700_000_000, newId: (prefix) => `${prefix}id${n++}` };
}

function decode(provider: string, reads: readonly Buffer[]): CanonicalEvent[] {
  const decoder = getProvider(provider)!.createStreamDecoder(context());
  const out: CanonicalEvent[] = [];
  for (const r of reads) decoder.feed(r, out);
  decoder.end(out);
  return out;
}

function sseEvents(body: Buffer): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser({ onEvent: (e) => events.push(e) });
  parser.feed(body);
  parser.end();
  return events;
}

/** The same SSE stream with every data payload as compact JSON, LF line ends. */
function plainSse(events: readonly SseEvent[]): Buffer {
  const text = events.map((e) => `${e.type === null ? '' : `event: ${e.type}\n`}data: ${JSON.stringify(JSON.parse(e.data))}\n\n`).join('');
  return Buffer.from(text, 'utf8');
}

/** What the plain stream decodes to must be what the cassette decodes to, read as recorded. */
function expectSameMeaning(c: Cassette, plain: Buffer): CanonicalEvent[] {
  const recorded = decode(
    c.provider,
    c.response.chunks.map((ch) => ch.bytes),
  );
  expect(recorded.some((e) => e.type === 'error')).toBe(false);
  expect(recorded).toEqual(decode(c.provider, [plain]));
  // and both say what the cassette expects (a decoder that misreads both alike fails here)
  const text = recorded.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');
  expect(text).toBe(c.expect.text);
  const args = recorded.flatMap((e) => (e.type === 'tool-call-delta' ? [e.arguments] : [])).join('');
  const expected = (c.expect.toolCalls ?? []).map((t) => t.arguments);
  expect(expected.length > 0 ? JSON.parse(args) : args).toEqual(expected.length > 0 ? expected[0] : '');
  return recorded;
}

/** Google's serializer: a space after ":", none after ",", "<" and ">" escaped (section 5, "JSON style"). */
function googleStyle(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(googleStyle).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${googleStyle(v)}`)
      .join(',')}}`;
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

const LIVE_MESSAGE_KEYS = ['model', 'id', 'type', 'role', 'content', 'stop_reason', 'stop_sequence', 'usage'];
const PADDED = / +\}$/;

describe.each(['anthropic', 'vertex-anthropic'])(
  '%s/live-serialization: Anthropic live serialization (section 4, "Quirks")',
  (provider) => {
    const c = load(provider);
    const events = sseEvents(cassetteBody(c));

    it('pads most payloads before their closing "}", never the pings', () => {
      const others = events.filter((e) => e.type !== 'ping');
      const padded = others.filter((e) => PADDED.test(e.data));
      expect(padded.length).toBeGreaterThanOrEqual(others.length - 1);
      expect(padded.length).toBeGreaterThan(5);
      // compact JSON otherwise: the padding is the only whitespace outside strings
      for (const e of padded) expect(e.data.replace(PADDED, '}')).toBe(JSON.stringify(JSON.parse(e.data)));
    });

    it('writes every ping as {"type": "ping"}', () => {
      const pings = events.filter((e) => e.type === 'ping');
      expect(pings.length).toBeGreaterThan(0);
      for (const p of pings) expect(p.data).toBe('{"type": "ping"}');
    });

    it('orders message_start.message keys model, id, type, role, content, stop_reason, stop_sequence, usage', () => {
      const start = events.find((e) => e.type === 'message_start');
      expect(Object.keys(JSON.parse(start!.data).message)).toEqual(LIVE_MESSAGE_KEYS);
    });

    it('decodes to exactly what the same stream without padding decodes to', () => {
      const meaning = expectSameMeaning(c, plainSse(events));
      expect(meaning.at(-1)?.type).toBe('usage');
    });
  },
);

describe.each(['gemini', 'vertex-gemini'])('%s/live-serialization: Google JSON style (section 5, 6a)', (provider) => {
  const c = load(provider);
  const body = cassetteBody(c);
  const events = sseEvents(body);

  it('writes every payload in Google style, with CRLF line ends', () => {
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const e of events) expect(e.data).toBe(googleStyle(JSON.parse(e.data)));
    const text = body.toString('utf8');
    expect(text.split('\r\n\r\n').length - 1).toBe(events.length);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('decodes to exactly what the same stream in compact JSON decodes to', () => {
    expectSameMeaning(c, plainSse(events));
  });
});

describe('gemini/live-serialization', () => {
  it('escapes "<" and ">" inside strings', () => {
    const text = cassetteBody(load('gemini')).toString('utf8');
    expect(text).toContain('\\u003c');
    expect(text).toContain('\\u003e');
    expect(text).not.toMatch(/[<>]/);
  });
});

describe('vertex-gemini/live-serialization', () => {
  it('writes "role" before "parts" and createTime on every chunk (section 6a)', () => {
    for (const e of sseEvents(cassetteBody(load('vertex-gemini')))) {
      const chunk = JSON.parse(e.data);
      expect(Object.keys(chunk.candidates[0].content)).toEqual(['role', 'parts']);
      expect(typeof chunk.createTime).toBe('string');
    }
  });
});

describe('bedrock/live-serialization: the p padding field (section 7c)', () => {
  const c = load('bedrock');
  const frames = readAllFrames(cassetteBody(c));
  const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

  it('carries p in every event payload: a prefix of the alphabet, sorted among the other keys', () => {
    expect(frames.length).toBeGreaterThan(5);
    const lengths = new Set<number>();
    for (const f of frames) {
      const payload = JSON.parse(f.payload.toString('utf8')) as Record<string, unknown>;
      const p = payload['p'];
      expect(typeof p).toBe('string');
      expect(ALPHABET.startsWith(p as string)).toBe(true);
      lengths.add((p as string).length);
      expect(Object.keys(payload)).toEqual(Object.keys(payload).sort());
    }
    expect(lengths.size).toBeGreaterThan(5);
  });

  it('decodes to exactly what the same frames without p decode to', () => {
    const plain = Buffer.concat(
      frames.map((f) => {
        const { p: _p, ...rest } = JSON.parse(f.payload.toString('utf8')) as Record<string, unknown>;
        return encodeFrame(Object.fromEntries(Object.entries(f.headers).map(([k, v]) => [k, String(v)])), JSON.stringify(rest));
      }),
    );
    expect(plain.length).toBeLessThan(cassetteBody(c).length);
    expectSameMeaning(c, plain);
  });
});
