// The Responses API stream decoder: every quirk fed whole, split at every byte offset and one byte
// per read must give the same canonical events.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { createStreamDecoder, IGNORED_EVENT_TYPES } from '../../../src/providers/openai-responses/stream.ts';
import type { DecoderContext } from '../../../src/providers/types.ts';
import { decodeEverySplit } from '../../helpers/decoder.ts';

let ids = 0;
const context: DecoderContext = { model: 'ctx-model', now: () => 1_700_000_000, newId: (p) => `${p}gen${ids++}` };

function decode(reads: Buffer[]): CanonicalEvent[] {
  ids = 0;
  const decoder = createStreamDecoder(context);
  const out: CanonicalEvent[] = [];
  for (const r of reads) decoder.feed(r, out);
  decoder.end(out);
  return out;
}

let seq = 0;
/** One event as the API writes it: `event:` line, then data with type and sequence_number first. */
function ev(type: string, rest: Record<string, unknown> = {}): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...rest })}\n\n`;
}
const response = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'resp_abc',
  object: 'response',
  created_at: 1763021844,
  status,
  model: 'gpt-4.1-2025-04-14',
  output: [],
  usage: null,
  ...extra,
});
const created = () => ev('response.created', { response: response('in_progress') });
const USAGE = {
  input_tokens: 120,
  input_tokens_details: { cached_tokens: 64 },
  output_tokens: 30,
  output_tokens_details: { reasoning_tokens: 12 },
  total_tokens: 150,
};
const completed = (extra: Record<string, unknown> = {}) =>
  ev('response.completed', { response: response('completed', { usage: USAGE, ...extra }) });
const textDelta = (delta: string, item = 'msg_1', output = 0) =>
  ev('response.output_text.delta', { item_id: item, output_index: output, content_index: 0, delta, logprobs: [], obfuscation: 'pAd' });
const messageAdded = (item = 'msg_1', output = 0) =>
  ev('response.output_item.added', {
    output_index: output,
    item: { id: item, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
  });
const callAdded = (item: string, output: number, callId: string, name: string, args = '') =>
  ev('response.output_item.added', {
    output_index: output,
    item: { id: item, type: 'function_call', status: 'in_progress', arguments: args, call_id: callId, name },
  });
const argsDelta = (item: string | undefined, output: number, delta: string) =>
  ev('response.function_call_arguments.delta', {
    ...(item !== undefined ? { item_id: item } : {}),
    output_index: output,
    delta,
    obfuscation: 'x',
  });
const argsDone = (item: string, output: number, args: string) =>
  ev('response.function_call_arguments.done', { item_id: item, output_index: output, arguments: args });

const START = { type: 'start', id: 'resp_abc', model: 'gpt-4.1-2025-04-14', created: 1763021844 };
const CANON_USAGE = {
  type: 'usage',
  usage: { promptTokens: 120, completionTokens: 30, totalTokens: 150, cachedPromptTokens: 64, reasoningTokens: 12 },
};

describe('openai-responses stream decoder', () => {
  it('decodes text with obfuscation padding and takes usage from response.completed', () => {
    const events = decodeEverySplit(
      decode,
      created() +
        ev('response.in_progress', { response: response('in_progress') }) +
        messageAdded() +
        ev('response.content_part.added', {
          item_id: 'msg_1',
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
        }) +
        textDelta('Hej ') +
        textDelta('Reykjavík ☃️') +
        ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: 'Hej Reykjavík ☃️', logprobs: [] }) +
        completed(),
    );
    expect(events).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'Hej ' },
      { type: 'text-delta', choice: 0, text: 'Reykjavík ☃️' },
      CANON_USAGE,
      { type: 'finish', choice: 0, reason: 'stop', raw: 'completed' },
    ]);
  });

  it('numbers function calls only: reasoning and message items do not shift the tool index', () => {
    const events = decodeEverySplit(
      decode,
      created() +
        ev('response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }) +
        messageAdded('msg_1', 1) +
        textDelta('Checking.', 'msg_1', 1) +
        callAdded('fc_a', 2, 'call_a', 'get_weather') +
        argsDelta('fc_a', 2, '{"city":"Par') +
        callAdded('fc_b', 3, 'call_b', 'get_time') +
        argsDelta('fc_b', 3, '{"tz":"Europe/Paris"}') +
        argsDelta('fc_a', 2, 'is"}') +
        argsDone('fc_a', 2, '{"city":"Paris"}') +
        argsDone('fc_b', 3, '{"tz":"Europe/Paris"}') +
        completed(),
    );
    expect(events).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'Checking.' },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"city":"Par' },
      { type: 'tool-call-start', choice: 0, index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool-call-delta', choice: 0, index: 1, arguments: '{"tz":"Europe/Paris"}' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: 'is"}' },
      CANON_USAGE,
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'completed' },
    ]);
  });

  it('matches argument deltas by output_index when item_id is missing', () => {
    const events = decodeEverySplit(decode, created() + callAdded('fc_a', 0, 'call_a', 'f') + argsDelta(undefined, 0, '{}') + completed());
    expect(events).toContainEqual({ type: 'tool-call-delta', choice: 0, index: 0, arguments: '{}' });
  });

  it('takes whole arguments from .done events when no delta carried them, and never sends them twice', () => {
    const onlyDone = decodeEverySplit(
      decode,
      created() + callAdded('fc_a', 0, 'call_a', 'f') + argsDone('fc_a', 0, '{"a":1}') + completed(),
    );
    expect(onlyDone.filter((e) => e.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"a":1}' },
    ]);

    const itemDoneOnly = decodeEverySplit(
      decode,
      created() +
        ev('response.output_item.done', {
          output_index: 0,
          item: { id: 'fc_z', type: 'function_call', status: 'completed', arguments: '{"b":2}', call_id: 'call_z', name: 'g' },
        }) +
        completed(),
    );
    expect(itemDoneOnly.filter((e) => e.type === 'tool-call-start' || e.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-start', choice: 0, index: 0, id: 'call_z', name: 'g' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"b":2}' },
    ]);

    const both = decodeEverySplit(
      decode,
      created() +
        callAdded('fc_a', 0, 'call_a', 'f') +
        argsDelta('fc_a', 0, '{"a":1}') +
        argsDone('fc_a', 0, '{"a":1}') +
        ev('response.output_item.done', {
          output_index: 0,
          item: { id: 'fc_a', type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'call_a', name: 'f' },
        }) +
        completed(),
    );
    expect(both.filter((e) => e.type === 'tool-call-delta')).toHaveLength(1);
  });

  it('invents a call id when the item has none', () => {
    const events = decode([Buffer.from(created() + callAdded('fc_a', 0, '', 'f') + completed())]);
    expect(events[1]).toEqual({ type: 'tool-call-start', choice: 0, index: 0, id: 'call_gen0', name: 'f' });
  });

  it('streams reasoning summaries, separating summary parts with a blank line', () => {
    const summary = (i: number, delta: string) =>
      ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: i, delta, obfuscation: 'o' });
    const partAdded = (i: number) =>
      ev('response.reasoning_summary_part.added', {
        item_id: 'rs_1',
        output_index: 0,
        summary_index: i,
        part: { type: 'summary_text', text: '' },
      });
    const events = decodeEverySplit(
      decode,
      created() +
        ev('response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }) +
        partAdded(0) +
        summary(0, '**Plan**') +
        summary(0, '\n\nAdd.') +
        ev('response.reasoning_summary_text.done', { item_id: 'rs_1', output_index: 0, summary_index: 0, text: '**Plan**\n\nAdd.' }) +
        partAdded(1) +
        summary(1, 'Check.') +
        ev('response.reasoning_text.delta', { item_id: 'rs_1', output_index: 0, content_index: 0, delta: ' Raw.' }) +
        messageAdded('msg_1', 1) +
        textDelta('4', 'msg_1', 1) +
        completed(),
    );
    expect(events.filter((e) => e.type === 'reasoning-delta')).toEqual([
      { type: 'reasoning-delta', choice: 0, text: '**Plan**' },
      { type: 'reasoning-delta', choice: 0, text: '\n\nAdd.' },
      { type: 'reasoning-delta', choice: 0, text: '\n\nCheck.' },
      { type: 'reasoning-delta', choice: 0, text: ' Raw.' },
    ]);
  });

  it('passes refusals on as refusal deltas', () => {
    const events = decodeEverySplit(
      decode,
      created() +
        messageAdded() +
        ev('response.refusal.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: "I can't help" }) +
        ev('response.refusal.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: ' with that.' }) +
        completed(),
    );
    expect(events.filter((e) => e.type === 'refusal-delta').map((e) => (e as { text: string }).text)).toEqual([
      "I can't help",
      ' with that.',
    ]);
  });

  it('ends response.incomplete with length for max_output_tokens and content_filter for content_filter', () => {
    const incomplete = (reason: string) =>
      ev('response.incomplete', { response: response('incomplete', { incomplete_details: { reason }, usage: USAGE }) });
    expect(decodeEverySplit(decode, created() + textDelta('Cut') + incomplete('max_output_tokens')).slice(-2)).toEqual([
      CANON_USAGE,
      { type: 'finish', choice: 0, reason: 'length', raw: 'max_output_tokens' },
    ]);
    expect(decode([Buffer.from(created() + incomplete('content_filter'))]).at(-1)).toEqual({
      type: 'finish',
      choice: 0,
      reason: 'content_filter',
      raw: 'content_filter',
    });
    expect(decode([Buffer.from(created() + incomplete('something_new'))]).at(-1)).toEqual({
      type: 'finish',
      choice: 0,
      reason: 'length',
      raw: 'something_new',
    });
  });

  it('turns response.failed into an error with the provider message and code', () => {
    const failed = ev('response.failed', {
      response: response('failed', { error: { code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-4.1.' } }),
    });
    expect(decodeEverySplit(decode, created() + failed)).toEqual([
      START,
      { type: 'error', kind: 'rate_limit', message: 'Rate limit reached for gpt-4.1.', code: 'rate_limit_exceeded' },
    ]);
  });

  it('turns `event: error` into an error (nested and top-level shapes) and ignores everything after it', () => {
    const nested = ev('error', { error: { type: 'server_error', code: 'server_error', message: 'The server had an error.', param: null } });
    const events = decodeEverySplit(
      decode,
      created() +
        textDelta('Part') +
        nested +
        ev('response.failed', { response: response('failed', { error: { code: 'server_error', message: 'other' } }) }) +
        textDelta('late'),
    );
    expect(events).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'Part' },
      { type: 'error', kind: 'upstream', message: 'The server had an error.', code: 'server_error', errorType: 'server_error' },
    ]);
    const topLevel = decode([Buffer.from(ev('error', { code: 'ERR_SOMETHING', message: 'Something went wrong', param: null }))]);
    expect(topLevel).toEqual([{ type: 'error', kind: 'upstream', message: 'Something went wrong', code: 'ERR_SOMETHING' }]);
  });

  it('reports a stream that ends before a terminal event as truncated', () => {
    expect(decodeEverySplit(decode, created() + textDelta('Half')).at(-1)).toEqual({
      type: 'error',
      kind: 'truncated',
      message: 'upstream stream ended before response.completed',
    });
    // The terminal event itself cut off (no blank line): still truncated, not completed.
    const cut = completed().slice(0, -2);
    expect(decode([Buffer.from(created() + cut)]).at(-1)).toMatchObject({ type: 'error', kind: 'truncated' });
  });

  it('reports a payload that is not JSON as malformed and stops there', () => {
    const events = decodeEverySplit(
      decode,
      `${created()}event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\n\n${textDelta('never')}${completed()}`,
    );
    expect(events).toEqual([
      START,
      {
        type: 'error',
        kind: 'malformed',
        message: 'upstream sent an event that is not JSON: "{\\"type\\":\\"response.output_text.delta\\",\\"delta\\":"',
      },
    ]);
    expect(decode([Buffer.from('data: [1,2]\n\n')])[0]).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/not a JSON object/),
    });
    expect(decode([Buffer.from('data: {"delta":"x"}\n\n')])[0]).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/without a type/),
    });
  });

  it('reports argument deltas for an item it never saw as malformed', () => {
    expect(decode([Buffer.from(created() + argsDelta('fc_ghost', 4, '{}'))]).at(-1)).toEqual({
      type: 'error',
      kind: 'malformed',
      message: 'upstream sent function call arguments for an unknown output item "fc_ghost"',
    });
  });

  it('ignores every known non-content event type and unknown ones, and a trailing [DONE]', () => {
    let stream = created();
    for (const type of IGNORED_EVENT_TYPES)
      stream += ev(type, { item_id: 'x', output_index: 0, delta: 'not content', text: 'not content' });
    stream += `${ev('response.brand_new_thing.delta', { delta: 'future' }) + completed()}data: [DONE]\n\n`;
    expect(decodeEverySplit(decode, stream)).toEqual([START, CANON_USAGE, { type: 'finish', choice: 0, reason: 'stop', raw: 'completed' }]);
  });

  it('uses the event: line when the payload has no type, and accepts CRLF framing', () => {
    const crlf = `event: response.output_text.delta\r\ndata: {"delta":"crlf"}\r\n\r\n`;
    expect(decodeEverySplit(decode, created() + crlf + completed())[1]).toEqual({ type: 'text-delta', choice: 0, text: 'crlf' });
  });

  it('falls back to the context for id, model and created when response.created is missing', () => {
    const events = decode([Buffer.from(textDelta('x') + ev('response.completed', { response: { status: 'completed', usage: null } }))]);
    expect(events).toEqual([
      { type: 'text-delta', choice: 0, text: 'x' },
      { type: 'start', id: 'chatcmpl-gen0', model: 'ctx-model', created: 1_700_000_000 },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'completed' },
    ]);
  });

  it('holds only an incomplete line in memory', () => {
    const decoder = createStreamDecoder(context);
    const out: CanonicalEvent[] = [];
    decoder.feed(Buffer.from(`${created()}event: response.output_text.delta\ndata: {"type":`), out);
    expect(decoder.bufferedBytes).toBe(Buffer.byteLength('data: {"type":'));
  });
});
