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
