// Vertex's differences from the Gemini API stream (role before parts, no candidate index,
// createTime, trafficType-only usage on early chunks), read by the shared Gemini decoder, whole
// and split at every byte offset.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { createStreamDecoder } from '../../../src/providers/vertex-gemini/stream.ts';

function decode(reads: readonly Buffer[]): CanonicalEvent[] {
  let n = 0;
  const decoder = createStreamDecoder({ model: 'client-model', now: () => 1, newId: (p) => `${p}${n++}` });
  const out: CanonicalEvent[] = [];
  for (const r of reads) decoder.feed(r, out);
  decoder.end(out);
  return out;
}

describe('vertex-gemini stream decoder', () => {
  it('reads Vertex chunks the same for every split', () => {
    const body = Buffer.from(
      [
        `{"candidates": [{"content": {"role": "model","parts": [{"text": "O"}]}}],"usageMetadata": {"trafficType": "ON_DEMAND_FLEX"},"modelVersion": "gemini-3-flash-preview","createTime": "2026-03-21T18:11:55.919086Z","responseId": "a9--aa6MOKL4vdIPz7X2iQ4"}`,
        `{"candidates": [{"content": {"role": "model","parts": [{"text": "K","thoughtSignature": "CiQB"}]},"finishReason": "STOP"}],"usageMetadata": {"promptTokenCount": 5,"candidatesTokenCount": 1,"totalTokenCount": 106,"trafficType": "ON_DEMAND_FLEX","thoughtsTokenCount": 100},"modelVersion": "gemini-3-flash-preview","createTime": "2026-03-21T18:11:55.919086Z","responseId": "a9--aa6MOKL4vdIPz7X2iQ4"}`,
      ]
        .map((p) => `data: ${p}\r\n\r\n`)
        .join(''),
    );
    const whole = decode([body]);
    expect(whole).toEqual([
      { type: 'start', id: 'chatcmpl-0', model: 'gemini-3-flash-preview', created: 1 },
      { type: 'text-delta', choice: 0, text: 'O' },
      { type: 'text-delta', choice: 0, text: 'K' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'STOP' },
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 101, totalTokens: 106, reasoningTokens: 100 } },
    ]);
    for (let i = 1; i < body.length; i++) expect(decode([body.subarray(0, i), body.subarray(i)]), `split at ${i}`).toEqual(whole);
  });
});

describe('vertex-gemini streamed function-call arguments (streamFunctionCallArguments)', () => {
  const chunk = (parts: unknown[], finish = '') =>
    `data: ${JSON.stringify({
      candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: finish } : {}) }],
      usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 12, totalTokenCount: 42 },
      modelVersion: 'gemini-3-pro-preview',
    })}\r\n\r\n`;
  const calls = (events: CanonicalEvent[]) => {
    const byIndex = new Map<number, { id: string; name: string; args: string }>();
    for (const e of events) {
      if (e.type === 'tool-call-start') byIndex.set(e.index, { id: e.id, name: e.name, args: '' });
      if (e.type === 'tool-call-delta') byIndex.get(e.index)!.args += e.arguments;
    }
    return [...byIndex.values()].map((c) => ({ ...c, args: JSON.parse(c.args) as unknown }));
  };
  const split = (body: string) => {
    const bytes = Buffer.from(body);
    const whole = decode([bytes]);
    for (let i = 1; i < bytes.length; i += 3) expect(decode([bytes.subarray(0, i), bytes.subarray(i)]), `split at ${i}`).toEqual(whole);
    return whole;
  };

  it('assembles partialArgs across parts and chunks into one call per function call, ended by a bare functionCall {}', () => {
    const body =
      chunk([{ functionCall: { name: 'set_light', willContinue: true }, thoughtSignature: 'c2ln' }]) +
      chunk([
        { functionCall: { partialArgs: [{ jsonPath: '$.location', stringValue: 'Boston', willContinue: true }], willContinue: true } },
      ]) +
      chunk([
        {
          functionCall: {
            partialArgs: [
              { jsonPath: '$.location', stringValue: ', MA' },
              { jsonPath: '$.brightness', numberValue: 50 },
            ],
            willContinue: true,
          },
        },
      ]) +
      chunk([
        {
          functionCall: {
            partialArgs: [
              { jsonPath: '$.options.on', boolValue: true },
              { jsonPath: '$.tags[0]', stringValue: 'den' },
              { jsonPath: '$.note', nullValue: null },
            ],
            willContinue: true,
          },
        },
      ]) +
      chunk([{ functionCall: {} }]) +
      chunk([{ functionCall: { name: 'get_time', args: { tz: 'EST' } } }], 'STOP');
    const events = split(body);
    expect(calls(events)).toEqual([
      {
        id: 'call_1',
        name: 'set_light',
        args: { location: 'Boston, MA', brightness: 50, options: { on: true }, tags: ['den'], note: null },
      },
      { id: 'call_2', name: 'get_time', args: { tz: 'EST' } },
    ]);
    expect(events.filter((e) => e.type === 'tool-call-start').length).toBe(2);
    expect(events.find((e) => e.type === 'finish')).toEqual({ type: 'finish', choice: 0, reason: 'tool_calls', raw: 'STOP' });
  });

  it('a call whose last part carries arguments without willContinue ends there', () => {
    const body =
      chunk([
        { functionCall: { name: 'f', partialArgs: [{ jsonPath: '$.a', stringValue: 'x', willContinue: true }], willContinue: true } },
      ]) + chunk([{ functionCall: { partialArgs: [{ jsonPath: '$.a', stringValue: 'y' }] } }], 'STOP');
    expect(calls(split(body))).toEqual([{ id: 'call_1', name: 'f', args: { a: 'xy' } }]);
  });

  it('a nameless function call that continues no call is a decoding error, never a tool call', () => {
    for (const part of [{ functionCall: {} }, { functionCall: { partialArgs: [{ jsonPath: '$.a', stringValue: 'x' }] } }]) {
      const events = split(chunk([{ text: 'Hi' }]) + chunk([part], 'STOP'));
      expect(events.filter((e) => e.type.startsWith('tool-call'))).toEqual([]);
      expect(events.at(-1)).toMatchObject({ type: 'error', kind: 'malformed' });
      expect(events.some((e) => e.type === 'finish')).toBe(false);
    }
  });

  it('a finish while a call is still streaming its arguments is an error, not a success', () => {
    const events = split(chunk([{ functionCall: { name: 'f', willContinue: true } }]) + chunk([{ text: '' }], 'STOP'));
    expect(events.at(-1)).toMatchObject({ type: 'error', kind: 'malformed' });
    expect(events.some((e) => e.type === 'finish')).toBe(false);
  });

  it('an unreadable jsonPath is a decoding error', () => {
    const events = split(
      chunk([{ functionCall: { name: 'f', partialArgs: [{ jsonPath: 'location', stringValue: 'x' }], willContinue: true } }]) +
        chunk([{ functionCall: {} }], 'STOP'),
    );
    expect(events.at(-1)).toMatchObject({ type: 'error', kind: 'malformed' });
  });
});
