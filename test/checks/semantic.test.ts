// The semantic check compares what the client saw with the cassette's reviewed expectation; where
// normalize mode restates the upstream's words (finish reasons, xAI usage), passthrough is held to
// the upstream's own (rawFinishReason, rawUsage).
import { describe, expect, it } from 'vitest';
import { expectationSchema } from '../../src/cassette/schema.ts';
import { readOpenAIStream, semanticMismatches } from '../../src/checks/semantic.ts';

const stream = (usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }) =>
  readOpenAIStream(
    Buffer.from(
      `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n` +
        `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":${JSON.stringify(usage)}}\n\ndata: [DONE]\n\n`,
    ),
  );

describe('semantic usage', () => {
  const expectation = expectationSchema.parse({
    text: 'Hi',
    finishReason: 'stop',
    usage: { prompt_tokens: 12, completion_tokens: 291, total_tokens: 303 },
    rawUsage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 303 },
  });

  it('normalize is held to usage, passthrough to rawUsage', () => {
    expect(semanticMismatches(stream({ prompt_tokens: 12, completion_tokens: 291, total_tokens: 303 }), expectation, 'normalize')).toEqual(
      [],
    );
    expect(semanticMismatches(stream({ prompt_tokens: 12, completion_tokens: 1, total_tokens: 303 }), expectation, 'passthrough')).toEqual(
      [],
    );
    expect(semanticMismatches(stream({ prompt_tokens: 12, completion_tokens: 1, total_tokens: 303 }), expectation, 'normalize')).toEqual([
      'usage.completion_tokens: expected 291, got 1',
    ]);
  });

  it('without rawUsage both modes are held to usage', () => {
    const plain = expectationSchema.parse({
      text: 'Hi',
      finishReason: 'stop',
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    expect(semanticMismatches(stream({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }), plain, 'passthrough')).toEqual([]);
  });
});

describe('semantic tool-call ids', () => {
  const toolStream = (id: string) =>
    readOpenAIStream(
      Buffer.from(
        `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":${JSON.stringify(id)},"type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n`,
      ),
    );
  const expectation = expectationSchema.parse({
    text: '',
    finishReason: 'tool_calls',
    toolCalls: [{ id: 'call_ref-1', name: 'f', arguments: {} }],
  });

  it('an id the upstream sent must arrive as sent', () => {
    expect(semanticMismatches(toolStream('gw-9'), expectation, 'normalize')).toEqual(['tool call 0 id: expected call_ref-1, got gw-9']);
  });

  it("an id the reference invented may be the target's own, but not missing", () => {
    const own = new Set(['call_ref-1']);
    expect(semanticMismatches(toolStream('gw-9'), expectation, 'normalize', own)).toEqual([]);
    expect(semanticMismatches(toolStream(''), expectation, 'normalize', own)).toEqual([
      'tool call 0 id: missing (the upstream sent none; the gateway must invent one)',
    ]);
  });
});
