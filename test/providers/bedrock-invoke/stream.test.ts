// The InvokeModelWithResponseStream (Claude) decoder: chunk frames carrying base64 Claude events.
// Each case is fed whole, split at every byte offset and one byte per read, and must give the
// same canonical events; every error path ends the stream with one error.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/eventstream/codec.ts';
import { createStreamDecoder } from '../../../src/providers/bedrock-invoke/stream.ts';
import { decode, decodeSplitInvariant, eventFrame, exceptionFrame } from '../bedrock/helpers.ts';

const run = (...frames: Buffer[]) => decodeSplitInvariant(createStreamDecoder, Buffer.concat(frames));
const chunk = (event: Record<string, unknown>) => eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64') });
const rawChunk = (bytes: string) => eventFrame('chunk', { bytes: Buffer.from(bytes).toString('base64') });

const messageStart = (usage: Record<string, number> = { input_tokens: 10, output_tokens: 1 }) =>
  chunk({
    type: 'message_start',
    message: {
      id: 'msg_bdrk_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-20241022',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  });
const blockStart = (index: number, block: Record<string, unknown>) => chunk({ type: 'content_block_start', index, content_block: block });
const delta = (index: number, d: Record<string, unknown>) => chunk({ type: 'content_block_delta', index, delta: d });
const blockStop = (index: number) => chunk({ type: 'content_block_stop', index });
const messageDelta = (stop_reason: string, usage: Record<string, number> = { output_tokens: 5 }) =>
  chunk({ type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage });
const messageStop = (
  metrics: Record<string, number> = { inputTokenCount: 10, outputTokenCount: 5, invocationLatency: 100, firstByteLatency: 50 },
) => chunk({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': metrics });

const START = { type: 'start', id: 'msg_bdrk_01', model: 'claude-3-5-haiku-20241022', created: 1_700_000_000 };

describe('bedrock-invoke (Claude) decoder', () => {
  it('text; usage merged from message_start and message_delta, written at message_stop', () => {
    expect(
      run(
        messageStart(),
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'Ça' }),
        chunk({ type: 'ping' }),
        delta(0, { type: 'text_delta', text: ' va ?' }),
        blockStop(0),
        messageDelta('end_turn'),
        messageStop(),
      ),
    ).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'Ça' },
      { type: 'text-delta', choice: 0, text: ' va ?' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'end_turn' },
      { type: 'usage', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } },
    ]);
  });

  it('cache tokens count as prompt tokens; a message_delta that repeats input tokens wins', () => {
    const events = run(
      messageStart({ input_tokens: 10, cache_read_input_tokens: 200, cache_creation_input_tokens: 30, output_tokens: 1 }),
      messageDelta('end_turn', { input_tokens: 12, output_tokens: 7 }),
      messageStop(),
    );
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { promptTokens: 242, completionTokens: 7, totalTokens: 249, cachedPromptTokens: 200 },
    });
  });

  it("Bedrock's invocation metrics stand in where Claude's usage is missing", () => {
    const events = run(
      messageStart({}),
      messageDelta('end_turn', {}),
      messageStop({ inputTokenCount: 21, outputTokenCount: 12, cacheReadInputTokenCount: 4 }),
    );
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { promptTokens: 25, completionTokens: 12, totalTokens: 37, cachedPromptTokens: 4 },
    });
  });

  it('tool_use blocks: indexes count tool calls only, the empty first input_json_delta is skipped', () => {
    const events = run(
      messageStart(),
      blockStart(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: 'Let me check.' }),
      blockStop(0),
      blockStart(1, { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }),
      delta(1, { type: 'input_json_delta', partial_json: '' }),
      delta(1, { type: 'input_json_delta', partial_json: '{"city":' }),
      delta(1, { type: 'input_json_delta', partial_json: ' "Paris"}' }),
      blockStop(1),
      blockStart(2, { type: 'tool_use', id: 'toolu_b', name: 'get_time', input: {} }),
      delta(2, { type: 'input_json_delta', partial_json: '{}' }),
      blockStop(2),
      messageDelta('tool_use'),
      messageStop(),
    );
    expect(events.slice(1, -1)).toEqual([
      { type: 'text-delta', choice: 0, text: 'Let me check.' },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'toolu_a', name: 'get_weather' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"city":' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: ' "Paris"}' },
      { type: 'tool-call-start', choice: 0, index: 1, id: 'toolu_b', name: 'get_time' },
      { type: 'tool-call-delta', choice: 0, index: 1, arguments: '{}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'tool_use' },
    ]);
  });

  it('a tool_use start that already holds its input says it as one delta', () => {
    const events = run(
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_a', name: 'f', input: { a: 1 } }),
      messageDelta('tool_use'),
      messageStop(),
    );
    expect(events.slice(1, 3)).toEqual([
      { type: 'tool-call-start', choice: 0, index: 0, id: 'toolu_a', name: 'f' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"a":1}' },
    ]);
  });

  it('thinking deltas and their signature', () => {
    const events = run(
      messageStart(),
      blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'Hmm.' }),
      delta(0, { type: 'signature_delta', signature: 'EqQB' }),
      blockStop(0),
      messageDelta('end_turn'),
      messageStop(),
    );
    expect(events.slice(1, 3)).toEqual([
      { type: 'reasoning-delta', choice: 0, text: 'Hmm.' },
      { type: 'reasoning-delta', choice: 0, text: '', signature: 'EqQB' },
    ]);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ])('stop_reason %s → %s', (raw, reason) => {
    expect(decode(createStreamDecoder, [messageStart(), messageDelta(raw), messageStop()])[1]).toEqual({
      type: 'finish',
      choice: 0,
      reason,
      raw,
    });
  });

  it('an exception frame ends the stream with the exception, its message kept', () => {
    const events = run(
      messageStart(),
      delta(0, { type: 'text_delta', text: 'Hi' }),
      exceptionFrame('modelStreamErrorException', '{"message":"Model failed.","originalMessage":"boom","originalStatusCode":500}'),
      messageStop(),
    );
    expect(events.slice(2)).toEqual([
      { type: 'error', kind: 'upstream', message: 'Model failed.', code: 'modelStreamErrorException', status: 424 },
    ]);
  });

  it('an inner Claude error event ends the stream with its type and message', () => {
    const events = run(messageStart(), chunk({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), messageStop());
    expect(events.slice(1)).toEqual([
      { type: 'error', kind: 'overloaded', message: 'Overloaded', errorType: 'overloaded_error', status: 529 },
    ]);
  });

  it('EOF before message_stop is a truncation', () => {
    expect(run(messageStart(), delta(0, { type: 'text_delta', text: 'Hi' }), messageDelta('end_turn')).at(-1)).toEqual({
      type: 'error',
      kind: 'truncated',
      message: 'upstream stream ended before message_stop',
    });
  });

  it('a chunk without bytes, or whose bytes are not a JSON object, is malformed', () => {
    expect(run(messageStart(), eventFrame('chunk', { notBytes: 1 })).at(-1)).toEqual({
      type: 'error',
      kind: 'malformed',
      message: 'Bedrock chunk event has no base64 "bytes" field',
    });
    expect(run(messageStart(), rawChunk('{"type":')).at(-1)).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/^Bedrock chunk bytes are not a JSON event/),
    });
    expect(run(messageStart(), rawChunk('"text"')).at(-1)).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/not a JSON object/),
    });
  });

  it('a corrupt frame is malformed and names its byte offset', () => {
    const first = messageStart();
    const body = Buffer.concat([first, delta(0, { type: 'text_delta', text: 'Hi' })]);
    body[body.length - 1]! ^= 0x01; // the message CRC of the second frame
    expect(run(body).at(-1)).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringContaining(`frame at byte ${first.length}:`),
    });
  });

  it('frames with other event types are ignored', () => {
    const other = encodeFrame({ ':event-type': 'initial-response', ':content-type': 'application/json', ':message-type': 'event' }, '{}');
    expect(run(other, messageStart(), messageDelta('end_turn'), messageStop())).toHaveLength(3);
  });

  // The Claude events inside the chunk frames are read by the Anthropic decoder's reader: each case
  // here is one where the former Bedrock-only copy of that mapping had drifted from it.
  describe('Claude events read as the Anthropic decoder reads them', () => {
    it('a thinking block start that carries text and a signature is reasoning', () => {
      const events = run(
        messageStart(),
        blockStart(0, { type: 'thinking', thinking: 'Let me see.', signature: 'EqQB' }),
        blockStop(0),
        messageDelta('end_turn'),
        messageStop(),
      );
      expect(events.slice(1, -2)).toEqual([{ type: 'reasoning-delta', choice: 0, text: 'Let me see.', signature: 'EqQB' }]);
    });

    it('a server_tool_use block and its input are not a client tool call', () => {
      const events = run(
        messageStart(),
        blockStart(0, { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }),
        delta(0, { type: 'input_json_delta', partial_json: '{"query": "weather"}' }),
        blockStop(0),
        blockStart(1, { type: 'text', text: '' }),
        delta(1, { type: 'text_delta', text: 'Sunny.' }),
        blockStop(1),
        messageDelta('end_turn'),
        messageStop(),
      );
      expect(events.slice(1, -2)).toEqual([{ type: 'text-delta', choice: 0, text: 'Sunny.' }]);
    });

    it('a tool call whose input never arrives gets "{}" as its arguments', () => {
      const events = run(
        messageStart(),
        blockStart(0, { type: 'tool_use', id: 'toolu_n', name: 'now', input: {} }),
        delta(0, { type: 'input_json_delta', partial_json: '' }),
        blockStop(0),
        messageDelta('tool_use'),
        messageStop(),
      );
      expect(events.slice(1, -2)).toEqual([
        { type: 'tool-call-start', choice: 0, index: 0, id: 'toolu_n', name: 'now' },
        { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{}' },
      ]);
    });

    it('a second message_start starts nothing', () => {
      const events = run(messageStart(), messageStart(), messageDelta('end_turn'), messageStop());
      expect(events.filter((e) => e.type === 'start')).toEqual([START]);
    });

    it('message_stop without a stop_reason still finishes, with stop', () => {
      const events = run(
        messageStart(),
        chunk({ type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 5 } }),
        messageStop(),
      );
      expect(events.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', choice: 0, reason: 'stop' }]);
    });
  });
});
