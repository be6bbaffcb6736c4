// Vertex AI's streamRawPredict body is the Anthropic Messages stream: the provider reuses the
// anthropic decoder (its own quirks are tested in test/providers/anthropic/stream.test.ts).
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { createStreamDecoder } from '../../../src/providers/vertex-anthropic/stream.ts';
import { createStreamDecoder as createAnthropicDecoder } from '../../../src/providers/anthropic/stream.ts';
import { getProvider } from '../../../src/providers/index.ts';

const context = { model: 'claude-opus-4-5@20251101', now: () => 1_700_000_000, newId: (p: string) => `${p}fixed` };

const body = [
  'event: message_start\ndata: {"type":"message_start","message":{"model":"claude-opus-4-5-20251101","id":"msg_vrtx_01X","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}    }\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_vrtx_01Y","name":"now","input":{}}}\n\n',
  'event: ping\ndata: {"type": "ping"}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}  }\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0 }\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":12}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join('');

function decode(text: string, split: number): CanonicalEvent[] {
  const bytes = Buffer.from(text);
  const decoder = createStreamDecoder(context);
  const out: CanonicalEvent[] = [];
  decoder.feed(bytes.subarray(0, split), out);
  decoder.feed(bytes.subarray(split), out);
  decoder.end(out);
  return out;
}

describe('vertex-anthropic stream decoder', () => {
  it('is the anthropic decoder', () => {
    expect(createStreamDecoder).toBe(createAnthropicDecoder);
    expect(getProvider('vertex-anthropic')?.createStreamDecoder).toBe(createAnthropicDecoder);
  });

  it('decodes a Vertex stream (vrtx ids) the same at every split', () => {
    const whole = decode(body, 0);
    expect(whole).toEqual([
      { type: 'start', id: 'msg_vrtx_01X', model: 'claude-opus-4-5-20251101', created: 1_700_000_000 },
      { type: 'tool-call-start', choice: 0, index: 0, id: 'toolu_vrtx_01Y', name: 'now' },
      { type: 'tool-call-delta', choice: 0, index: 0, arguments: '{}' },
      { type: 'finish', choice: 0, reason: 'tool_calls', raw: 'tool_use' },
      { type: 'usage', usage: { promptTokens: 9, completionTokens: 12, totalTokens: 21 } },
    ]);
    for (let i = 1; i < Buffer.byteLength(body); i++) expect(decode(body, i), `split at ${i}`).toEqual(whole);
  });
});
