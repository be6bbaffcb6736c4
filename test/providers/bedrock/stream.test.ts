// The ConverseStream decoder: each quirk fed whole, split at every byte offset and one byte per
// read must give the same canonical events; every error path ends the stream with one error.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/eventstream/codec.ts';
import { createStreamDecoder } from '../../../src/providers/bedrock/stream.ts';
import { decode, decodeSplitInvariant, eventFrame, exceptionFrame } from './helpers.ts';

const run = (...frames: Buffer[]) => decodeSplitInvariant(createStreamDecoder, Buffer.concat(frames));
const START = { type: 'start', id: 'chatcmpl-id0', model: 'test-model', created: 1_700_000_000 };
const messageStart = eventFrame('messageStart', { role: 'assistant' });
const text = (t: string, block = 0) => eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { text: t } });
const blockStop = (block: number) => eventFrame('contentBlockStop', { contentBlockIndex: block });
const messageStop = (stopReason: string) => eventFrame('messageStop', { stopReason });
const metadata = (usage: Record<string, unknown>) => eventFrame('metadata', { metrics: { latencyMs: 100 }, usage });

describe('bedrock ConverseStream decoder', () => {
  it('text, stop reason and the usage from metadata after messageStop; `p` padding ignored', () => {
    expect(
      run(
        messageStart,
        text('Hel'),
        text('lo 👋'),
        blockStop(0),
        messageStop('end_turn'),
        metadata({ inputTokens: 5, outputTokens: 3, serverToolUsage: {}, totalTokens: 8 }),
      ),
    ).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'Hel' },
      { type: 'text-delta', choice: 0, text: 'lo 👋' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'end_turn' },
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 } },
    ]);
  });

  it('counts cache reads and writes as prompt tokens, and reports the cached ones', () => {
    const events = run(
      messageStart,
      messageStop('end_turn'),
      metadata({ inputTokens: 5, outputTokens: 3, cacheReadInputTokens: 100, cacheWriteInputTokens: 20, totalTokens: 128 }),
    );
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { promptTokens: 125, completionTokens: 3, totalTokens: 128, cachedPromptTokens: 100 },
    });
  });

  it('server-side tool use and tool results are never client tool calls; a client call after them is call 0', () => {
    const events = run(
      messageStart,
      eventFrame('contentBlockStart', {
        contentBlockIndex: 0,
        start: { toolUse: { name: 'nova_code_interpreter', toolUseId: 'tooluse_srv1', type: 'server_tool_use' } },
      }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"code": "print(6*7)"}' } } }),
      blockStop(0),
      eventFrame('contentBlockStart', { contentBlockIndex: 1, start: { toolResult: { toolUseId: 'tooluse_srv1', status: 'success' } } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolResult: [{ json: { stdout: '42\n' } }] } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolResult: [{ text: 'exit 0' }] } }),
      blockStop(1),
      text('It is 42.', 2),
      blockStop(2),
      eventFrame('contentBlockStart', { contentBlockIndex: 3, start: { toolUse: { name: 'save', toolUseId: 'tooluse_c' } } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 3, delta: { toolUse: { input: '{"n": 42}' } } }),
      blockStop(3),
      messageStop('tool_use'),
      metadata({ inputTokens: 20, outputTokens: 30, serverToolUsage: { codeInterpreter: 1 }, totalTokens: 50 }),
    );
    expect(events).toEqual([
      START,
      { type: 'text-delta', choice: 0, text: 'It is 42.' },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'tooluse_c', name: 'save' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"n": 42}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'tool_use' },
      { type: 'usage', usage: { promptTokens: 20, completionTokens: 30, totalTokens: 50 } },
    ]);
  });

  it('a tool result delta whose block start never came is still no tool call', () => {
    const events = run(
      messageStart,
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolResult: [{ text: 'found 3 pages' }] } }),
      text('Done.', 1),
      messageStop('end_turn'),
    );
    expect(events.filter((e) => e.type.startsWith('tool-call'))).toEqual([]);
  });

  it('tool use: OpenAI indexes count tool calls only, ids and names on the start, input as string fragments', () => {
    const events = run(
      messageStart,
      text('Checking.'),
      blockStop(0),
      eventFrame('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { name: 'get_weather', toolUseId: 'tooluse_a' } } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city": "Pa' } } }),
      eventFrame('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { name: 'get_time', toolUseId: 'tooluse_b' } } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: 'ris"}' } } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '' } } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{}' } } }),
      messageStop('tool_use'),
    );
    expect(events.slice(1)).toEqual([
      { type: 'text-delta', choice: 0, text: 'Checking.' },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'tooluse_a', name: 'get_weather' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"city": "Pa' },
      { type: 'tool-call-start', choice: 0, index: 1, id: 'tooluse_b', name: 'get_time' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: 'ris"}' },
      { type: 'tool-call-delta', choice: 0, index: 1, arguments: '{}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'tool_use' },
    ]);
  });

  it('tool input for a block whose start never came still becomes one call, with an invented id', () => {
    const events = run(
      messageStart,
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{}' } } }),
      messageStop('tool_use'),
    );
    expect(events.slice(1, 3)).toEqual([
      { type: 'tool-call-start', choice: 0, index: 0, id: 'call_id1', name: '' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{}' },
    ]);
  });

  it('reasoning text and its signature', () => {
    const events = run(
      messageStart,
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Think' } } }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'c2ln' } } }),
      blockStop(0),
      text('Answer', 1),
      messageStop('end_turn'),
    );
    expect(events.slice(1, 4)).toEqual([
      { type: 'reasoning-delta', choice: 0, text: 'Think' },
      { type: 'reasoning-delta', choice: 0, text: '', signature: 'c2ln' },
      { type: 'text-delta', choice: 0, text: 'Answer' },
    ]);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['something_new', 'stop'],
  ])('stop reason %s → %s', (raw, reason) => {
    expect(decode(createStreamDecoder, [messageStart, messageStop(raw)]).at(-1)).toEqual({ type: 'finish', choice: 0, reason, raw });
  });

  it('ignores event types it does not know', () => {
    expect(run(messageStart, eventFrame('somethingNew', { x: 1 }), messageStop('end_turn'))).toHaveLength(2);
  });

  it.each([
    ['throttlingException', 'rate_limit', 429],
    ['serviceUnavailableException', 'overloaded', 503],
    ['validationException', 'bad_request', 400],
    ['modelStreamErrorException', 'upstream', 424],
    ['internalServerException', 'upstream', 500],
    ['modelTimeoutException', 'timeout', 408],
  ])('a %s frame ends the stream with kind %s, the message kept, later frames ignored', (type, kind, status) => {
    const events = run(
      messageStart,
      text('Hi'),
      exceptionFrame(type, '{"message":"Bedrock says no."}'),
      text(' more'),
      messageStop('end_turn'),
    );
    expect(events.slice(2)).toEqual([{ type: 'error', kind, message: 'Bedrock says no.', code: type, status }]);
  });

  it('an unknown exception type is still an error', () => {
    const events = run(messageStart, exceptionFrame('brandNewThrottlingException', '{"message":"slow down"}'));
    expect(events.at(-1)).toEqual({ type: 'error', kind: 'rate_limit', message: 'slow down', code: 'brandNewThrottlingException' });
  });

  it('an unmodeled error frame (:message-type error) keeps its code and message', () => {
    const frame = encodeFrame(
      { ':error-code': 'InternalFailure', ':error-message': 'We encountered an internal error.', ':message-type': 'error' },
      '',
    );
    expect(run(messageStart, frame).at(-1)).toEqual({
      type: 'error',
      kind: 'upstream',
      message: 'We encountered an internal error.',
      code: 'InternalFailure',
    });
  });

  it('EOF before messageStop is a truncation, never a success', () => {
    expect(run(messageStart, text('Hi')).at(-1)).toEqual({
      type: 'error',
      kind: 'truncated',
      message: 'upstream stream ended before messageStop',
    });
  });

  it('EOF after messageStop without metadata is complete', () => {
    expect(run(messageStart, text('Hi'), messageStop('end_turn')).at(-1)).toEqual({
      type: 'finish',
      choice: 0,
      reason: 'stop',
      raw: 'end_turn',
    });
  });

  it('EOF inside a frame, even after messageStop, is a truncation', () => {
    const body = Buffer.concat([messageStart, messageStop('end_turn'), metadata({ inputTokens: 1, outputTokens: 1, totalTokens: 2 })]);
    const events = decode(createStreamDecoder, [body.subarray(0, body.length - 10)]);
    expect(events.at(-1)).toMatchObject({ type: 'error', kind: 'truncated' });
    expect((events.at(-1) as { message: string }).message).toMatch(
      /^upstream stream was cut: input ended inside the event-stream frame at byte \d+/,
    );
  });

  it('a payload that is not JSON, or not an object, is malformed', () => {
    const notJson = encodeFrame(
      { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
      '{"delta":',
    );
    expect(run(messageStart, notJson, messageStop('end_turn')).at(-1)).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/contentBlockDelta event at byte \d+ is not JSON/),
    });
    const array = encodeFrame({ ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' }, '[1]');
    expect(run(messageStart, array).at(-1)).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/is not a JSON object/),
    });
  });

  it('a frame without :message-type is malformed (the AWS SDK rejects it too)', () => {
    const frame = encodeFrame({ ':event-type': 'messageStart' }, '{}');
    expect(run(frame).at(-1)).toMatchObject({ type: 'error', kind: 'malformed', message: expect.stringContaining(':message-type null') });
  });

  it('a corrupted CRC is malformed, names the byte offset, and nothing after it is read', () => {
    const body = Buffer.concat([messageStart, text('Hi'), text(' there'), messageStop('end_turn')]);
    const second = messageStart.length;
    body[second + text('Hi').length - 8]! ^= 0xff; // inside the second frame's payload
    const events = run(body);
    expect(events).toEqual([
      START,
      {
        type: 'error',
        kind: 'malformed',
        message: expect.stringMatching(
          new RegExp(`^upstream event stream is corrupt: event-stream frame at byte ${second}: The message checksum`),
        ),
      },
    ]);
  });

  it('a declared frame length over 16 MiB is malformed at once', () => {
    const prelude = Buffer.from(messageStart.subarray(0, 12));
    prelude.writeUInt32BE(16 * 1024 * 1024 + 1, 0);
    prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8); // a valid prelude CRC: only the length is wrong
    const events = decode(createStreamDecoder, [prelude]);
    expect(events).toEqual([
      {
        type: 'error',
        kind: 'malformed',
        message: 'upstream event stream is corrupt: event-stream frame at byte 0: declared length 16777217 exceeds the 16777216-byte limit',
      },
    ]);
  });

  it('a corrupted prelude is malformed as soon as its 12 bytes are in', () => {
    const prelude = Buffer.from(messageStart.subarray(0, 12));
    prelude[2]! ^= 0x10;
    expect(decode(createStreamDecoder, [prelude])).toEqual([
      { type: 'error', kind: 'malformed', message: expect.stringMatching(/frame at byte 0: prelude CRC mismatch/) },
    ]);
  });

  it('reports the bytes it holds for an incomplete frame', () => {
    const decoder = createStreamDecoder({ model: 'm', now: () => 0, newId: (p) => p });
    decoder.feed(messageStart.subarray(0, 20), []);
    expect(decoder.bufferedBytes).toBe(20);
  });
});
