// The Anthropic Messages stream decoder: every quirk fed whole, split at every byte offset and one
// byte per read must give the same canonical events.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { createStreamDecoder, mapStopReason } from '../../../src/providers/anthropic/stream.ts';
import type { DecoderContext } from '../../../src/providers/types.ts';
import { decodeEverySplit } from '../../helpers/decoder.ts';

const context: DecoderContext = { model: 'ctx-model', now: () => 1_700_000_000, newId: (p) => `${p}fixed` };

function decode(reads: Buffer[]): CanonicalEvent[] {
  const decoder = createStreamDecoder(context);
  const out: CanonicalEvent[] = [];
  for (const r of reads) decoder.feed(r, out);
  decoder.end(out);
  return out;
}

const sse = (name: string, data: string) => `event: ${name}\ndata: ${data}\n\n`;
const PING = sse('ping', '{"type": "ping"}');

function messageStart(usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }, id = 'msg_01A', pad = '') {
  const message = {
    model: 'claude-sonnet-4-5-20250929',
    id,
    type: 'message',
    role: 'assistant',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage,
  };
  return sse('message_start', `{"type":"message_start","message":${JSON.stringify(message)}${pad}}`);
}
const blockStart = (index: number, block: unknown, pad = '') =>
  sse('content_block_start', `{"type":"content_block_start","index":${index},"content_block":${JSON.stringify(block)}${pad}}`);
const blockDelta = (index: number, delta: unknown, pad = '') =>
  sse('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":${JSON.stringify(delta)}${pad}}`);
const textDelta = (index: number, text: string, pad = '') => blockDelta(index, { type: 'text_delta', text }, pad);
const jsonDelta = (index: number, partial: string) => blockDelta(index, { type: 'input_json_delta', partial_json: partial });
const blockStop = (index: number, pad = '') => sse('content_block_stop', `{"type":"content_block_stop","index":${index}${pad}}`);
const messageDelta = (stop: string | null, usage: Record<string, unknown> = { output_tokens: 5 }, pad = '') =>
  sse(
    'message_delta',
    `{"type":"message_delta","delta":${JSON.stringify({ stop_reason: stop, stop_sequence: null })},"usage":${JSON.stringify(usage)}${pad}}`,
  );
const MESSAGE_STOP = sse('message_stop', '{"type":"message_stop"        }');

const start = { type: 'start', id: 'msg_01A', model: 'claude-sonnet-4-5-20250929', created: 1_700_000_000 };

describe('anthropic stream decoder', () => {
  it('decodes padded text events with a ping, and merges usage from message_start and message_delta', () => {
    const events = decodeEverySplit(
      decode,
      messageStart(
        { input_tokens: 38, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
        'msg_01A',
        '          ',
      ) +
        blockStart(0, { type: 'text', text: '' }, '     ') +
        PING +
        textDelta(0, 'Hej ', '   ') +
        textDelta(0, 'Reykjavík ☃️') +
        blockStop(0, '  ') +
        messageDelta('end_turn', { output_tokens: 64 }, '      ') +
        MESSAGE_STOP,
    );
    expect(events).toEqual([
      start,
      { type: 'text-delta', choice: 0, text: 'Hej ' },
      { type: 'text-delta', choice: 0, text: 'Reykjavík ☃️' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'end_turn' },
      { type: 'usage', usage: { promptTokens: 38, completionTokens: 64, totalTokens: 102, cachedPromptTokens: 0 } },
    ]);
  });

  it('numbers tool calls, not content blocks: text at 0, tool_use at 1 and 2 are tool calls 0 and 1', () => {
    const events = decodeEverySplit(
      decode,
      messageStart() +
        blockStart(0, { type: 'text', text: '' }) +
        textDelta(0, 'Checking.') +
        blockStop(0) +
        blockStart(1, { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }) +
        jsonDelta(1, '') +
        jsonDelta(1, '{"location": "Par') +
        jsonDelta(1, 'is"}') +
        blockStop(1) +
        blockStart(2, { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: {} }) +
        jsonDelta(2, '{"location": "São Paulo"}') +
        blockStop(2) +
        messageDelta('tool_use') +
        MESSAGE_STOP,
    );
    expect(events).toEqual([
      start,
      { type: 'text-delta', choice: 0, text: 'Checking.' },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'toolu_a', name: 'get_weather' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"location": "Par' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: 'is"}' },
      { type: 'tool-call-start', choice: 0, index: 1, id: 'toolu_b', name: 'get_weather' },
      { type: 'tool-call-delta', choice: 0, index: 1, arguments: '{"location": "São Paulo"}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'tool_use' },
      { type: 'usage', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } },
    ]);
  });

  it('gives a tool call without any argument fragment "{}" so OpenAI clients can parse it', () => {
    const events = decodeEverySplit(
      decode,
      messageStart() +
        blockStart(0, { type: 'tool_use', id: 'toolu_n', name: 'now', input: {} }) +
        jsonDelta(0, '') +
        blockStop(0) +
        messageDelta('tool_use') +
        MESSAGE_STOP,
    );
    expect(events.filter((e) => e.type === 'tool-call-delta')).toEqual([{ type: 'tool-call-delta', choice: 0, index: 0, arguments: '{}' }]);
  });

  it('sends a whole input given at block start once, as JSON', () => {
    const events = decodeEverySplit(
      decode,
      messageStart() +
        blockStart(0, { type: 'tool_use', id: 'toolu_w', name: 'f', input: { a: 1 } }) +
        blockStop(0) +
        messageDelta('tool_use') +
        MESSAGE_STOP,
    );
    expect(events.filter((e) => e.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"a":1}' },
    ]);
  });

  it('turns thinking into reasoning deltas and keeps the signature on its own event', () => {
    const events = decodeEverySplit(
      decode,
      messageStart() +
        blockStart(0, { type: 'thinking', thinking: '', signature: '' }, '   ') +
        PING +
        blockDelta(0, { type: 'thinking_delta', thinking: '7 × 11' }, '  ') +
        blockDelta(0, { type: 'thinking_delta', thinking: '' }) +
        blockDelta(0, { type: 'signature_delta', signature: 'EqQBCkgI+/=' }) +
        blockStop(0) +
        blockStart(1, { type: 'text', text: '' }) +
        textDelta(1, 'No.') +
        blockStop(1) +
        messageDelta('end_turn') +
        MESSAGE_STOP,
    );
    expect(events).toEqual([
      start,
      { type: 'reasoning-delta', choice: 0, text: '7 × 11' },
      { type: 'reasoning-delta', choice: 0, text: '', signature: 'EqQBCkgI+/=' },
      { type: 'text-delta', choice: 0, text: 'No.' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'end_turn' },
      { type: 'usage', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } },
    ]);
  });

  it('counts cache reads and writes into prompt tokens; later usage values replace earlier ones', () => {
    const events = decode([
      Buffer.from(
        messageStart({ input_tokens: 12, cache_creation_input_tokens: 214, cache_read_input_tokens: 1890, output_tokens: 1 }) +
          messageDelta('end_turn', { input_tokens: 15, output_tokens: 40 }) +
          MESSAGE_STOP,
      ),
    ]);
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { promptTokens: 2119, completionTokens: 40, totalTokens: 2159, cachedPromptTokens: 1890 },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    // pause_turn: the turn is not over (a server-tool loop paused); the client must send the
    // answer back to continue it, as it would after a cut-short answer: never `stop`.
    ['pause_turn', 'length'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['something_new', 'stop'],
  ])('maps stop_reason %s to %s and keeps the raw word', (raw, reason) => {
    expect(mapStopReason(raw)).toBe(reason);
    const events = decode([Buffer.from(messageStart() + messageDelta(raw) + MESSAGE_STOP)]);
    expect(events).toContainEqual({ type: 'finish', choice: 0, reason, raw });
  });

  it('finishes with stop when message_stop comes without a stop_reason', () => {
    const events = decode([Buffer.from(messageStart() + messageDelta(null) + MESSAGE_STOP)]);
    expect(events.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', choice: 0, reason: 'stop' }]);
  });

  it('reports event: error after partial text with the provider message verbatim, and ignores the rest', () => {
    const events = decodeEverySplit(
      decode,
      messageStart() +
        blockStart(0, { type: 'text', text: '' }) +
        textDelta(0, 'There once') +
        sse('error', '{"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"}}') +
        textDelta(0, ' was a cat') +
        MESSAGE_STOP,
    );
    expect(events).toEqual([
      start,
      { type: 'text-delta', choice: 0, text: 'There once' },
      { type: 'error', kind: 'overloaded', message: 'Overloaded', errorType: 'overloaded_error', status: 529 },
    ]);
  });

  it.each([
    ['rate_limit_error', 'rate_limit', 429],
    ['invalid_request_error', 'bad_request', 400],
    ['authentication_error', 'auth', 401],
    ['api_error', 'upstream', 500],
  ])('maps error type %s to kind %s', (type, kind, status) => {
    const events = decode([Buffer.from(messageStart() + sse('error', JSON.stringify({ type: 'error', error: { type, message: 'm' } })))]);
    expect(events.at(-1)).toEqual({ type: 'error', kind, message: 'm', errorType: type, status });
  });

  it('reports an error event whose payload is not JSON as an upstream error with its text', () => {
    const events = decode([Buffer.from(messageStart() + sse('error', 'Internal server error'))]);
    expect(events.at(-1)).toEqual({ type: 'error', kind: 'upstream', message: 'Internal server error' });
  });

  it('reports EOF before message_stop as truncation, even after message_delta', () => {
    const cut = decodeEverySplit(
      decode,
      `${messageStart() + blockStart(0, { type: 'text', text: '' }) + textDelta(0, 'Hello')}event: content_block_delta\ndata: {"type":"con`,
    );
    expect(cut.at(-1)).toEqual({ type: 'error', kind: 'truncated', message: 'upstream stream ended before message_stop' });
    const noStop = decode([Buffer.from(messageStart() + messageDelta('end_turn'))]);
    expect(noStop.at(-1)).toEqual({ type: 'error', kind: 'truncated', message: 'upstream stream ended before message_stop' });
    expect(decode([])).toEqual([{ type: 'error', kind: 'truncated', message: 'upstream stream ended before message_stop' }]);
  });

  it('turns a payload that is not JSON into a malformed error, never a throw, and stops there', () => {
    const events = decodeEverySplit(
      decode,
      messageStart() + sse('content_block_delta', '{"type":"content_block_delta",') + textDelta(0, 'late') + MESSAGE_STOP,
    );
    expect(events).toEqual([
      start,
      {
        type: 'error',
        kind: 'malformed',
        message: 'upstream sent a data event that is not JSON: "{\\"type\\":\\"content_block_delta\\","',
      },
    ]);
  });

  it('turns JSON that is not an object into a malformed error', () => {
    expect(decode([Buffer.from(sse('message_start', '[1,2]'))])[0]).toMatchObject({ type: 'error', kind: 'malformed' });
  });

  it('rejects tool arguments for a block that is not a tool_use block', () => {
    const events = decode([Buffer.from(messageStart() + blockStart(0, { type: 'text', text: '' }) + jsonDelta(0, '{"a"') + MESSAGE_STOP)]);
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: 'input_json_delta for content block 0, which is not a tool_use block',
    });
  });

  it('skips server tool blocks, unknown events and unknown delta types; accepts CRLF and a ping without an event line', () => {
    const body =
      messageStart() +
      blockStart(0, { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }) +
      jsonDelta(0, '{"query": "x"}') +
      blockStop(0) +
      blockStart(1, { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] }) +
      blockStop(1) +
      'data: {"type":"ping"}\n\n' +
      sse('some_future_event', '{"type":"some_future_event"}') +
      blockStart(2, { type: 'text', text: '' }) +
      blockDelta(2, { type: 'citations_delta', citation: {} }) +
      textDelta(2, 'Found it.') +
      blockStop(2) +
      messageDelta('end_turn') +
      MESSAGE_STOP;
    const lf = decodeEverySplit(decode, body);
    expect(lf).toEqual([
      start,
      { type: 'text-delta', choice: 0, text: 'Found it.' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'end_turn' },
      { type: 'usage', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } },
    ]);
    expect(decodeEverySplit(decode, body.replaceAll('\n', '\r\n'))).toEqual(lf);
  });

  it('falls back to the context for a message without id or model, and starts only once', () => {
    const events = decode([
      Buffer.from(sse('message_start', '{"type":"message_start","message":{"usage":{"input_tokens":3}}}') + messageStart() + MESSAGE_STOP),
    ]);
    expect(events[0]).toEqual({ type: 'start', id: 'chatcmpl-fixed', model: 'ctx-model', created: 1_700_000_000 });
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
  });

  it('holds no bytes once events are complete', () => {
    const decoder = createStreamDecoder(context);
    const out: CanonicalEvent[] = [];
    decoder.feed(Buffer.from(`${messageStart()}event: ping\nda`), out);
    expect(decoder.bufferedBytes).toBeGreaterThan(0);
    decoder.feed(Buffer.from('ta: {"type": "ping"}\n\n'), out);
    expect(decoder.bufferedBytes).toBe(0);
  });
});
