// The Gemini decoder: every quirk of streamGenerateContent?alt=sse, each fed whole and split at
// every byte offset (the events must not depend on where reads fall), plus every error path.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { createStreamDecoder, mapGeminiFinishReason } from '../../../src/providers/gemini/stream.ts';
import type { DecoderContext } from '../../../src/providers/types.ts';
import { decodeEverySplit } from '../../helpers/decoder.ts';

function context(): DecoderContext {
  let n = 0;
  return { model: 'client-model', now: () => 1_700_000_000, newId: (prefix) => `${prefix}${n++}` };
}

function decode(reads: readonly Buffer[]): CanonicalEvent[] {
  const decoder = createStreamDecoder(context());
  const out: CanonicalEvent[] = [];
  for (const r of reads) decoder.feed(r, out);
  decoder.end(out);
  return out;
}

const sse = (...payloads: string[]) => payloads.map((p) => `data: ${p}\r\n\r\n`).join('');
const usage = (p: number, c: number | null, t: number, th?: number) =>
  `"usageMetadata": {"promptTokenCount": ${p},${c === null ? '' : `"candidatesTokenCount": ${c},`}"totalTokenCount": ${t}${th === undefined ? '' : `,"thoughtsTokenCount": ${th}`}}`;
const textChunk = (text: string, u: string, finish?: string) =>
  `{"candidates": [{"content": {"parts": [{"text": ${JSON.stringify(text)}}],"role": "model"},${finish ? `"finishReason": "${finish}",` : ''}"index": 0}],${u},"modelVersion": "gemini-2.5-flash","responseId": "r1"}`;
const start = { type: 'start', id: 'chatcmpl-0', model: 'gemini-2.5-flash', created: 1_700_000_000 };

describe('gemini stream decoder', () => {
  it('streams text, takes the LAST cumulative usage (never a sum) and finishes on STOP', () => {
    const events = decodeEverySplit(
      decode,
      sse(textChunk('Hel', usage(10, 1, 40, 29)), textChunk('lo', usage(10, 2, 41, 29)), textChunk('!', usage(10, 3, 42, 29), 'STOP')),
    );
    expect(events).toEqual([
      start,
      { type: 'text-delta', choice: 0, text: 'Hel' },
      { type: 'text-delta', choice: 0, text: 'lo' },
      { type: 'text-delta', choice: 0, text: '!' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'STOP' },
      { type: 'usage', usage: { promptTokens: 10, completionTokens: 32, totalTokens: 42, reasoningTokens: 29 } },
    ]);
  });

  it('reports the LAST usageMetadata as the stream states it: a field it leaves out is zero, not the old value', () => {
    // proto3 JSON omits zero counts: the last statement has no candidatesTokenCount after an earlier
    // 21, and its prompt and total went down (usage that goes backwards mid-stream).
    const events = decodeEverySplit(
      decode,
      sse(
        textChunk(
          'A',
          '"usageMetadata": {"promptTokenCount": 40,"candidatesTokenCount": 21,"totalTokenCount": 90,"thoughtsTokenCount": 29}',
        ),
        textChunk('B', '"usageMetadata": {"promptTokenCount": 12,"totalTokenCount": 12}', 'STOP'),
      ),
    );
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { promptTokens: 12, completionTokens: 0, totalTokens: 12 } });
  });

  it('a usageMetadata without any count (Vertex trafficType alone) states nothing and keeps the last statement', () => {
    const events = decodeEverySplit(
      decode,
      sse(
        textChunk('A', '"usageMetadata": {"trafficType": "ON_DEMAND"}'),
        textChunk(
          'B',
          '"usageMetadata": {"promptTokenCount": 7,"candidatesTokenCount": 2,"totalTokenCount": 9,"trafficType": "ON_DEMAND"}',
        ),
        textChunk('', '"usageMetadata": {"trafficType": "ON_DEMAND"}', 'STOP'),
      ),
    );
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { promptTokens: 7, completionTokens: 2, totalTokens: 9 } });
  });

  it('decodes \\u003c-style escapes and UTF-8 split anywhere', () => {
    const events = decodeEverySplit(
      decode,
      sse(
        String.raw`{"candidates": [{"content": {"parts": [{"text": "\u003cb\u003eça — 東京 🌸\u003c/b\u003e"}],"role": "model"},"finishReason": "STOP","index": 0}]}`,
      ),
    );
    expect(events[1]).toEqual({ type: 'text-delta', choice: 0, text: '<b>ça — 東京 🌸</b>' });
  });

  it('reads LF framing as well as CRLF', () => {
    const body = `data: ${textChunk('ok', usage(1, 1, 2), 'STOP')}\n\n`;
    expect(decodeEverySplit(decode, body).map((e) => e.type)).toEqual(['start', 'text-delta', 'finish', 'usage']);
  });

  it('turns whole function calls into tool-call-start + one delta each, with invented ids, and finishes tool_calls', () => {
    const events = decodeEverySplit(
      decode,
      sse(
        `{"candidates": [{"content": {"parts": [{"text": "Checking."},{"functionCall": {"name": "sum","args": {"a": 2,"b": 3}},"thoughtSignature": "CmIBvj72"},{"functionCall": {"name": "now"}},{"functionCall": {"name": "lookup","args": {"q": "x"},"id": "fc_given"}}],"role": "model"},"finishReason": "STOP","index": 0,"finishMessage": "Model generated function call(s)."}],${usage(171, 54, 302, 77)}}`,
      ),
    );
    expect(events).toEqual([
      { type: 'start', id: 'chatcmpl-0', model: 'client-model', created: 1_700_000_000 },
      { type: 'text-delta', choice: 0, text: 'Checking.' },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'call_1', name: 'sum' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{"a":2,"b":3}' },
      { type: 'tool-call-start', choice: 0, index: 1, id: 'call_2', name: 'now' },
      { type: 'tool-call-delta', choice: 0, index: 1, arguments: '{}' },
      { type: 'tool-call-start', choice: 0, index: 2, id: 'fc_given', name: 'lookup' },
      { type: 'tool-call-delta', choice: 0, index: 2, arguments: '{"q":"x"}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'STOP' },
      { type: 'usage', usage: { promptTokens: 171, completionTokens: 131, totalTokens: 302, reasoningTokens: 77 } },
    ]);
  });

  it('counts tool-call indexes across chunks', () => {
    const call = (name: string, finish = '') =>
      `{"candidates": [{"content": {"parts": [{"functionCall": {"name": "${name}","args": {}}}],"role": "model"},${finish}"index": 0}]}`;
    const events = decodeEverySplit(decode, sse(call('a'), call('b', '"finishReason": "STOP",')));
    expect(events.filter((e) => e.type === 'tool-call-start').map((e) => (e as { index: number }).index)).toEqual([0, 1]);
  });

  it('streams thought parts as reasoning, with their signature, and skips empty signature-only parts', () => {
    const events = decodeEverySplit(
      decode,
      sse(
        `{"candidates": [{"content": {"parts": [{"text": "**Plan**\\n","thought": true}],"role": "model"},"index": 0}],${usage(5, null, 30, 25)}}`,
        `{"candidates": [{"content": {"parts": [{"text": "Deep.","thought": true,"thoughtSignature": "sig1"},{"text": "Answer"}],"role": "model"},"index": 0}],${usage(5, 1, 36, 30)}}`,
        `{"candidates": [{"content": {"parts": [{"text": "","thoughtSignature": "sig2"}],"role": "model"},"finishReason": "STOP","index": 0}],${usage(5, 1, 36, 30)}}`,
      ),
    );
    expect(events.slice(1)).toEqual([
      { type: 'reasoning-delta', choice: 0, text: '**Plan**\n' },
      { type: 'reasoning-delta', choice: 0, text: 'Deep.', signature: 'sig1' },
      { type: 'text-delta', choice: 0, text: 'Answer' },
      { type: 'finish', choice: 0, reason: 'stop', raw: 'STOP' },
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 31, totalTokens: 36, reasoningTokens: 30 } },
    ]);
  });

  it('maps every finishReason Google documents', () => {
    const table: [string, string][] = [
      ['STOP', 'stop'],
      ['MAX_TOKENS', 'length'],
      ['SAFETY', 'content_filter'],
      ['RECITATION', 'content_filter'],
      ['BLOCKLIST', 'content_filter'],
      ['PROHIBITED_CONTENT', 'content_filter'],
      ['SPII', 'content_filter'],
      ['IMAGE_SAFETY', 'content_filter'],
      ['LANGUAGE', 'stop'],
      ['OTHER', 'stop'],
      ['SOMETHING_NEW', 'stop'],
    ];
    for (const [raw, reason] of table) {
      const events = decode([Buffer.from(sse(textChunk('x', usage(1, 1, 2), raw)))]);
      expect(
        events.find((e) => e.type === 'finish'),
        raw,
      ).toEqual({ type: 'finish', choice: 0, reason, raw });
    }
    expect(mapGeminiFinishReason('MAX_TOKENS', true)).toBe('length');
    expect(mapGeminiFinishReason('STOP', true)).toBe('tool_calls');
  });

  it('ends MALFORMED_FUNCTION_CALL (and the other failed-call reasons) with an error, not a finish', () => {
    for (const raw of ['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']) {
      const events = decodeEverySplit(
        decode,
        sse(
          `{"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "${raw}","finishMessage": "Malformed function call: f(x=)","index": 0}],${usage(9, null, 9)}}`,
        ),
      );
      expect(events.slice(1)).toEqual([{ type: 'error', kind: 'upstream', message: `${raw}: Malformed function call: f(x=)`, code: raw }]);
    }
    const bare = decode([Buffer.from(sse(`{"candidates": [{"finishReason": "MALFORMED_FUNCTION_CALL","index": 0}]}`))]);
    expect(bare.at(-1)).toEqual({
      type: 'error',
      kind: 'upstream',
      message: 'upstream finished with MALFORMED_FUNCTION_CALL',
      code: 'MALFORMED_FUNCTION_CALL',
    });
  });

  it('turns a blocked prompt (promptFeedback.blockReason, no candidates) into a content_filter finish with usage', () => {
    const events = decodeEverySplit(
      decode,
      sse(
        `{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},${usage(8, null, 8)},"modelVersion": "gemini-2.5-flash","responseId": "r"}`,
      ),
    );
    expect(events).toEqual([
      start,
      { type: 'finish', choice: 0, reason: 'content_filter', raw: 'PROHIBITED_CONTENT' },
      { type: 'usage', usage: { promptTokens: 8, completionTokens: 0, totalTokens: 8 } },
    ]);
  });

  it('turns an in-band error object into an error event and ignores everything after it', () => {
    const events = decodeEverySplit(
      decode,
      sse(
        textChunk('Hi', usage(3, 1, 4)),
        `{"error": {"code": 503,"message": "The model is overloaded. Please try again later.","status": "UNAVAILABLE"}}`,
        textChunk('late', usage(3, 2, 5), 'STOP'),
      ),
    );
    expect(events).toEqual([
      start,
      { type: 'text-delta', choice: 0, text: 'Hi' },
      { type: 'error', kind: 'overloaded', message: 'The model is overloaded. Please try again later.', code: 'UNAVAILABLE', status: 503 },
    ]);
  });

  it('maps error codes and statuses to kinds, also when the code is missing', () => {
    const kind = (error: string) => decode([Buffer.from(sse(`{"error": ${error}}`))])[0];
    expect(kind('{"code": 429,"message": "Resource exhausted.","status": "RESOURCE_EXHAUSTED"}')).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      code: 'RESOURCE_EXHAUSTED',
    });
    expect(kind('{"code": 400,"message": "bad","status": "INVALID_ARGUMENT"}')).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(kind('{"code": 403,"message": "no","status": "PERMISSION_DENIED"}')).toMatchObject({ kind: 'auth' });
    expect(kind('{"code": 504,"message": "slow","status": "DEADLINE_EXCEEDED"}')).toMatchObject({ kind: 'timeout' });
    expect(kind('{"code": 500,"message": "oops","status": "INTERNAL"}')).toMatchObject({ kind: 'upstream', status: 500 });
    expect(kind('{"message": "quota","status": "RESOURCE_EXHAUSTED"}')).toEqual({
      type: 'error',
      kind: 'rate_limit',
      message: 'quota',
      code: 'RESOURCE_EXHAUSTED',
      status: 429,
    });
    expect(kind('"plain"')).toEqual({ type: 'error', kind: 'upstream', message: 'plain', code: null });
  });

  it('reports EOF before any finishReason as truncated (Gemini has no terminator)', () => {
    const events = decodeEverySplit(decode, sse(textChunk('The Rhine flows', usage(3, 3, 6))));
    expect(events.slice(1)).toEqual([
      { type: 'text-delta', choice: 0, text: 'The Rhine flows' },
      { type: 'error', kind: 'truncated', message: 'upstream stream ended before a chunk with finishReason' },
    ]);
    expect(decode([])).toEqual([{ type: 'error', kind: 'truncated', message: 'upstream stream ended before a chunk with finishReason' }]);
  });

  it('reports a final event cut before its blank line as truncated, even if it carried the finishReason', () => {
    const body = `${sse(textChunk('a', usage(1, 1, 2)))}data: ${textChunk('b', usage(1, 2, 3), 'STOP')}\r\n`;
    expect(decode([Buffer.from(body)]).at(-1)).toMatchObject({ type: 'error', kind: 'truncated' });
  });

  it('ends as truncated when a raw (non-data:) error body follows the last event', () => {
    // Firebase's mock of a mid-stream failure: pretty-printed JSON without a data: prefix. It is not
    // an SSE event; the stream still ends without a finishReason, so the client gets an error.
    const body = `${sse(textChunk('a', usage(1, 1, 2)))}{\n  "error": {\n    "code": 499,\n    "message": "The operation was cancelled.",\n    "status": "CANCELLED"\n  }\n}\n`;
    expect(decodeEverySplit(decode, body).at(-1)).toMatchObject({ type: 'error', kind: 'truncated' });
  });

  it('keeps reading after the finish chunk: a later usage-only chunk wins', () => {
    const events = decodeEverySplit(decode, sse(textChunk('x', usage(4, 1, 5), 'STOP'), `{${usage(4, 2, 6)}}`));
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { promptTokens: 4, completionTokens: 2, totalTokens: 6 } });
  });

  it('merges usageMetadata field by field, so a chunk with only trafficType changes nothing', () => {
    const events = decodeEverySplit(
      decode,
      sse(
        `{"candidates": [{"content": {"role": "model","parts": [{"text": "a"}]}}],"usageMetadata": {"trafficType": "ON_DEMAND"}}`,
        `{"candidates": [{"content": {"role": "model","parts": [{"text": "b"}]},"finishReason": "STOP"}],"usageMetadata": {"promptTokenCount": 5,"candidatesTokenCount": 2,"totalTokenCount": 7,"cachedContentTokenCount": 3,"toolUsePromptTokenCount": 1,"trafficType": "ON_DEMAND"}}`,
      ),
    );
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { promptTokens: 6, completionTokens: 2, totalTokens: 7, cachedPromptTokens: 3 },
    });
    const onlyTraffic = decode([
      Buffer.from(
        sse(
          `{"candidates": [{"content": {"role": "model","parts": [{"text": "a"}]},"finishReason": "STOP"}],"usageMetadata": {"trafficType": "ON_DEMAND"}}`,
        ),
      ),
    ]);
    expect(onlyTraffic.some((e) => e.type === 'usage')).toBe(false);
  });

  it('keeps candidates apart (candidateCount > 1) and ends only when every candidate has finished', () => {
    const two = (a: string, b: string, finish: string) =>
      `{"candidates": [{"content": {"parts": [{"text": "${a}"}],"role": "model"},${finish}"index": 0},{"content": {"parts": [{"text": "${b}"}],"role": "model"},${finish}"index": 1}]}`;
    const events = decodeEverySplit(decode, sse(two('a0', 'b0', ''), two('a1', 'b1', '"finishReason": "STOP",')));
    expect(events.filter((e) => e.type === 'text-delta')).toEqual([
      { type: 'text-delta', choice: 0, text: 'a0' },
      { type: 'text-delta', choice: 1, text: 'b0' },
      { type: 'text-delta', choice: 0, text: 'a1' },
      { type: 'text-delta', choice: 1, text: 'b1' },
    ]);
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(2);
    const oneUnfinished = sse(
      `{"candidates": [{"content": {"parts": [{"text": "a"}],"role": "model"},"finishReason": "STOP","index": 0},{"content": {"parts": [{"text": "b"}],"role": "model"},"index": 1}]}`,
    );
    expect(decode([Buffer.from(oneUnfinished)]).at(-1)).toMatchObject({ type: 'error', kind: 'truncated' });
  });

  it('turns a payload that is not JSON into a malformed error, never a throw', () => {
    const events = decodeEverySplit(
      decode,
      sse(textChunk('ok', usage(1, 1, 2)), '{"candidates": [', textChunk('late', usage(1, 2, 3), 'STOP')),
    );
    expect(events.slice(1)).toEqual([
      { type: 'text-delta', choice: 0, text: 'ok' },
      { type: 'error', kind: 'malformed', message: 'upstream sent a data event that is not JSON: "{\\"candidates\\": ["' },
    ]);
    expect(decode([Buffer.from(sse('[1,2]'))])[0]).toMatchObject({
      type: 'error',
      kind: 'malformed',
      message: expect.stringMatching(/not a JSON object/),
    });
  });

  it('ignores empty data events and odd parts', () => {
    const events = decodeEverySplit(
      decode,
      `data:\r\n\r\n${sse(`{"candidates": [{"content": {"parts": [null,{"inlineData": {"mimeType": "image/png","data": "AA=="}},{"text": "x"}],"role": "model"},"finishReason": "STOP","index": 0}]}`)}`,
    );
    expect(events.map((e) => e.type)).toEqual(['start', 'text-delta', 'finish']);
  });

  it('holds only the incomplete line', () => {
    const decoder = createStreamDecoder(context());
    const out: CanonicalEvent[] = [];
    decoder.feed(Buffer.from(`${sse(textChunk('a', usage(1, 1, 2)))}data: {"cand`), out);
    expect(decoder.bufferedBytes).toBe('data: {"cand'.length);
  });
});
