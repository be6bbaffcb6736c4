// The Straico decoder: one JSON body (chat endpoint, prompt endpoint or an error) turned into
// canonical events at the end, the same however the body was read; XML tool calls parsed out of
// the answer, and every way the body can be wrong reported as one error.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { createStreamDecoder } from '../../../src/providers/straico/stream.ts';
import type { DecoderContext } from '../../../src/providers/types.ts';
import { decodeEverySplit } from '../../helpers/decoder.ts';

let ids = 0;
const context: DecoderContext = { model: 'openai/gpt-4o-mini', now: () => 1_700_000_000, newId: (p) => `${p}gen${ids++}` };

function decode(reads: Buffer[], maxBodyBytes?: number): CanonicalEvent[] {
  ids = 0;
  const decoder = createStreamDecoder(context, { maxBodyBytes });
  const out: CanonicalEvent[] = [];
  for (const r of reads) {
    decoder.feed(r, out);
    // Nothing comes out before the body is complete.
    if (maxBodyBytes === undefined) expect(out).toEqual([]);
  }
  decoder.end(out);
  return out;
}

function completion(content: unknown, finish: unknown = 'stop', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'chatcmpl-straico1',
    object: 'chat.completion',
    created: 1763027201,
    model: 'openai/gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
    usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
    price: { input: 0.3, output: 0.12, total: 0.42 },
    words: { input: 20, output: 9, total: 29 },
    ...extra,
  };
}
const chat = (content: unknown, finish?: unknown) => JSON.stringify(completion(content, finish));
const START = { type: 'start', id: 'chatcmpl-straico1', model: 'openai/gpt-4o-mini', created: 1763027201 };
const USAGE = { type: 'usage', usage: { promptTokens: 30, completionTokens: 12, totalTokens: 42 } };

describe('straico decoder', () => {
  it('turns a chat.completion body into start, text, finish and usage, however it was read', () => {
    expect(decodeEverySplit(decode, chat('Brød og smør — ☃️ fine.'))).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'Brød og smør — ☃️ fine.' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'stop' },
      USAGE,
    ]);
  });

  it('reads the prompt endpoint body, picking the completion of the requested model', () => {
    const wrap = (completions: Record<string, unknown>) =>
      JSON.stringify({
        data: { completions, overall_price: { input: 1, output: 1, total: 2 }, overall_words: { input: 1, output: 1, total: 2 } },
        success: true,
      });
    const entry = (c: Record<string, unknown>) => ({
      completion: c,
      price: { input: 1, output: 1, total: 2 },
      words: { input: 1, output: 1, total: 2 },
    });
    expect(decodeEverySplit(decode, wrap({ 'openai/gpt-4o-mini': entry(completion('Nine minutes.')) }))[1]).toEqual({
      type: 'text-delta',
      choice: 0,
      text: 'Nine minutes.',
    });
    // Several models answered: the one asked for wins; one answer under another key is still used.
    const two = wrap({ 'anthropic/claude-3.5-sonnet': entry(completion('Other.')), 'openai/gpt-4o-mini': entry(completion('Mine.')) });
    expect(decode([Buffer.from(two)])[1]).toEqual({ type: 'text-delta', choice: 0, text: 'Mine.' });
    expect(decode([Buffer.from(wrap({ 'openai/gpt-4o': entry(completion('Renamed.')) }))])[1]).toEqual({
      type: 'text-delta',
      choice: 0,
      text: 'Renamed.',
    });
    expect(decode([Buffer.from(wrap({}))])).toEqual([
      { type: 'error', kind: 'malformed', message: 'upstream answer has no completion for model "openai/gpt-4o-mini"' },
    ]);
  });

  it('parses XML tool calls out of the answer into tool calls with generated ids', () => {
    const answer =
      'Let me check.\n\n<tool_call><name>get_weather</name><arguments>{"city": "Oslo"}</arguments></tool_call>\n<tool_call><name>get_time</name><arguments>{"tz":"Europe/Oslo"}</arguments></tool_call>';
    expect(decodeEverySplit(decode, chat(answer, 'end_turn'))).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'Let me check.' },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'call_gen0', name: 'get_weather' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"city":"Oslo"}' },
      { type: 'tool-call-start', choice: 0, index: 1, id: 'call_gen1', name: 'get_time' },
      { type: 'tool-call-delta', choice: 0, index: 1, arguments: '{"tz":"Europe/Oslo"}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'end_turn' },
      USAGE,
    ]);
  });

  it('drops fences and <tool_calls> wrappers that only held calls, and accepts missing or fenced arguments', () => {
    const answer =
      '```xml\n<tool_calls>\n<tool_call><name>now</name></tool_call>\n<tool_call><name>f</name><arguments>\n```json\n{"a": [1, 2]}\n```\n</arguments></tool_call>\n</tool_calls>\n```';
    const events = decode([Buffer.from(chat(answer))]);
    expect(events.filter((e) => e.type === 'text-delta')).toEqual([]);
    expect(events.filter((e) => e.type === 'tool-call-delta').map((e) => (e as { arguments: string }).arguments)).toEqual([
      '{}',
      '{"a":[1,2]}',
    ]);
  });

  it('keeps an answer without tool calls exactly as written', () => {
    expect(decode([Buffer.from(chat('  Spaces and\nnewlines stay.\n'))])[1]).toEqual({
      type: 'text-delta',
      choice: 0,
      text: '  Spaces and\nnewlines stay.\n',
    });
  });

  it('reports a malformed tool call as an error and sends no content', () => {
    const cases: [string, string][] = [
      ['<tool_call><name>f</name><arguments>{"a":', '<tool_call> at character 0 is never closed'],
      [
        '<tool_call><name>f</name><arguments>{"a":1}</arguments>\n<tool_call><name>g</name></tool_call>',
        '<tool_call> at character 0 is never closed',
      ],
      [
        'Sure. <tool_call><name>f</name><arguments>{a: 1}</arguments></tool_call>',
        'tool call 0 (f) has arguments that are not JSON: "{a: 1}"',
      ],
      [
        '<tool_call><name>f</name><arguments>[1,2]</arguments></tool_call>',
        'tool call 0 (f) has arguments that are not a JSON object: "[1,2]"',
      ],
      ['<tool_call><arguments>{}</arguments></tool_call>', 'tool call 0 has no <name>'],
      ['<tool_call><name>get weather</name></tool_call>', 'tool call 0 has an invalid name "get weather"'],
      ['<tool_call><name>f</name><arguments>{}</tool_call>', 'tool call 0 (f): <arguments> is never closed'],
      ['Done.</tool_call>', '</tool_call> at character 5 has no opening <tool_call>'],
    ];
    for (const [answer, problem] of cases) {
      expect(decode([Buffer.from(chat(answer))]), answer).toEqual([
        { type: 'error', kind: 'malformed', message: `Straico answer has a malformed tool call: ${problem}` },
      ]);
    }
  });

  it('maps finish reasons, and never promises tool_calls without calls', () => {
    const finish = (raw: unknown) => decode([Buffer.from(chat('x', raw))]).find((e) => e.type === 'finish');
    expect(finish('length')).toEqual({ type: 'finish', choice: 0, reason: 'length', raw: 'length' });
    expect(finish('max_tokens')).toMatchObject({ reason: 'length' });
    expect(finish('content_filter')).toMatchObject({ reason: 'content_filter' });
    expect(finish('stop_sequence')).toMatchObject({ reason: 'stop' });
    expect(finish('tool_calls')).toMatchObject({ reason: 'stop', raw: 'tool_calls' });
    expect(finish(null)).toEqual({ type: 'finish', choice: 0, reason: 'stop', raw: 'stop' });
  });

  it('reads content given as text parts, null content, and native tool_calls', () => {
    expect(
      decode([
        Buffer.from(
          chat([
            { type: 'text', text: 'A' },
            { type: 'text', text: 'B' },
          ]),
        ),
      ])[1],
    ).toEqual({ type: 'text-delta', choice: 0, text: 'AB' });
    const native = completion(null, 'tool_calls');
    (native['choices'] as { message: Record<string, unknown> }[])[0]!.message['tool_calls'] = [
      { id: 'x', type: 'function', function: { name: 'f', arguments: '{"q":1}' } },
    ];
    expect(decode([Buffer.from(JSON.stringify(native))]).slice(1, 4)).toEqual([
      { type: 'tool-call-start', choice: 0, index: 0, id: 'call_gen0', name: 'f' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"q":1}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'tool_calls' },
    ]);
  });

  it('turns {"success":false,"error":"…"} and {"error":{…}} into errors with the provider message', () => {
    expect(decodeEverySplit(decode, '{"success":false,"error":"Insufficient coins"}')).toEqual([
      { type: 'error', kind: 'upstream', message: 'Insufficient coins' },
    ]);
    expect(decode([Buffer.from('{"success":false,"message":"Model not available"}')])).toEqual([
      { type: 'error', kind: 'upstream', message: 'Model not available' },
    ]);
    expect(decode([Buffer.from('{"error":{"message":"Invalid model","type":"invalid_request_error","code":null}}')])).toEqual([
      { type: 'error', kind: 'bad_request', message: 'Invalid model', code: null, errorType: 'invalid_request_error' },
    ]);
  });

  it('reports an empty, cut-off or non-JSON body as an error, never a crash', () => {
    expect(decode([])).toEqual([{ type: 'error', kind: 'truncated', message: 'upstream answered with an empty body' }]);
    const cut = chat('whole answer').slice(0, 40);
    expect(decode([Buffer.from(cut)])).toEqual([
      { type: 'error', kind: 'truncated', message: `upstream answer is cut off: ${JSON.stringify(cut)}` },
    ]);
    expect(decode([Buffer.from('<html>502 Bad Gateway</html>')])).toEqual([
      { type: 'error', kind: 'malformed', message: 'upstream answer is not JSON: "<html>502 Bad Gateway</html>"' },
    ]);
    expect(decode([Buffer.from('[1]')])[0]).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/not a JSON object/),
    });
    expect(decode([Buffer.from('{"id":"x","choices":[]}')])).toEqual([
      { type: 'error', kind: 'malformed', message: 'upstream answer has no choices' },
    ]);
  });

  it('refuses a body over the limit at once, and holds nothing after that', () => {
    const decoder = createStreamDecoder(context, { maxBodyBytes: 10 });
    const out: CanonicalEvent[] = [];
    decoder.feed(Buffer.from('{"id":'), out);
    expect(decoder.bufferedBytes).toBe(6);
    decoder.feed(Buffer.from('"12345"'), out);
    expect(out).toEqual([{ type: 'error', kind: 'malformed', message: 'upstream body is larger than 10 bytes' }]);
    expect(decoder.bufferedBytes).toBe(0);
    decoder.feed(Buffer.from('}'), out);
    decoder.end(out);
    expect(out).toHaveLength(1);
  });

  it('copies what it holds: a caller reusing its read buffer changes nothing', () => {
    const decoder = createStreamDecoder(context);
    const out: CanonicalEvent[] = [];
    const buf = Buffer.from(chat('kept'));
    decoder.feed(buf, out);
    buf.fill(0x20);
    decoder.end(out);
    expect(out[1]).toEqual({ type: 'text-delta', choice: 0, text: 'kept' });
  });
});
