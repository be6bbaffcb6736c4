// An `event` field with an empty value (`event:`, `event: `, a bare `event`) sets the default
// type, exactly as if no `event` field was sent (WHATWG: an empty type buffer dispatches as
// "message"). Every decoder that reads the event name must decode both spellings the same.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/canonical/events.ts';
import { providers } from '../../src/providers/index.ts';
import type { StreamModel } from '../../src/providers/stream-model.ts';
import type { DecoderContext } from '../../src/providers/types.ts';

const MODEL: StreamModel = {
  id: 'chatcmpl-emptyevent1',
  model: 'fuzz-model',
  created: 1_700_000_000,
  reasoning: ['Think'],
  text: ['Hello', ' world'],
  toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' }, cuts: [5] }],
  usage: { prompt: 12, completion: 7 },
  finish: 'tool_calls',
};

function decode(name: string, body: string): CanonicalEvent[] {
  const provider = providers.find((p) => p.name === name)!;
  let ids = 0;
  const context: DecoderContext = { model: 'ctx-model', now: () => 1_700_000_000, newId: (p) => `${p}gen${ids++}` };
  const decoder = provider.createStreamDecoder(context);
  const out: CanonicalEvent[] = [];
  const bytes = Buffer.from(body);
  for (let i = 0; i < bytes.length; i += 7) decoder.feed(bytes.subarray(i, i + 7), out);
  decoder.end(out);
  return out;
}

/** Every event's `event:` line removed, then each event given `spelling` as its first line. */
function withEmptyEventField(body: string, spelling: string): { none: string; empty: string } {
  const events = body.split(/\r?\n\r?\n/).filter((e) => e !== '');
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const stripped = events.map((e) =>
    e
      .split(/\r?\n/)
      .filter((line) => !line.startsWith('event'))
      .join(eol),
  );
  return {
    none: stripped.map((e) => `${e}${eol}${eol}`).join(''),
    empty: stripped.map((e) => `${spelling}${eol}${e}${eol}${eol}`).join(''),
  };
}

const SSE_PROVIDERS = providers.filter((p) => p.fuzz.framing === 'sse').map((p) => p.name);

describe('an empty event field decodes as no event field', () => {
  for (const name of SSE_PROVIDERS) {
    it(name, () => {
      const provider = providers.find((p) => p.name === name)!;
      const model = provider.fuzz.adjust ? provider.fuzz.adjust(MODEL) : MODEL;
      const body = provider.fuzz.generate(model).toString();
      for (const spelling of ['event:', 'event: ', 'event']) {
        const { none, empty } = withEmptyEventField(body, spelling);
        expect(decode(name, empty), spelling).toEqual(decode(name, none));
      }
    });
  }

  it('openai-responses: an event without a type is malformed, whether the event field is missing or empty', () => {
    const body = 'data: {"sequence_number":0,"delta":"x"}\n\n';
    const expected = [
      {
        type: 'error',
        kind: 'malformed',
        message: 'upstream sent an event without a type: "{\\"sequence_number\\":0,\\"delta\\":\\"x\\"}"',
      },
    ];
    expect(decode('openai-responses', body)).toEqual(expected);
    for (const spelling of ['event:', 'event: ', 'event'])
      expect(decode('openai-responses', `${spelling}\n${body}`), spelling).toEqual(expected);
  });
});
