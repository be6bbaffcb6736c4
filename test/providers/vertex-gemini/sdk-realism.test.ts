// FIXTURE REALISM: every Vertex Gemini cassette read by the official @google/genai SDK over real
// loopback. The body is the Gemini API's (plus createTime, responseId, trafficType), so the plain
// client reads it; the replay serves the bound cassette whatever path the SDK asks for.
//
// SDK behaviour asserted for the failure cassettes:
// - the in-band {"error":{"code":429,…}} event makes the iterator THROW an ApiError with status 429
//   after the text before it;
// - MALFORMED_FUNCTION_CALL is just a finishReason to the SDK (no throw, no function call parts):
//   the gateway turns it into an error (the SDK's response converter even drops finishMessage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayExchange, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { ApiError, readWithGenai } from '../gemini/genai-sdk.ts';

/** Gemini's own finishReason where it is not STOP (the cassettes' expect holds OpenAI's word). */
const RAW_FINISH: Record<string, string> = { 'vertex-gemini/safety-finish': 'SAFETY' };

const cassettes = shippedCassettes().filter((c) => c.provider === 'vertex-gemini');
let replay: ReplayUpstream;
const exchanges: ReplayExchange[] = [];

beforeAll(async () => {
  replay = await startReplayUpstream({ onExchange: (e) => exchanges.push(e) });
});
afterAll(async () => {
  await replay.close();
});

describe('@google/genai reads every vertex-gemini cassette', () => {
  it('has the cassettes the issue asks for', () => {
    expect(cassettes.length).toBeGreaterThanOrEqual(3);
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (name, cassette) => {
    const { view } = await readWithGenai(replay, cassette, exchanges);
    const want = cassette.expect;

    expect(view.text).toBe(want.text);
    expect(view.reasoning).toBe(want.reasoning ?? '');
    if (name === 'vertex-gemini/streamed-function-call-args') {
      // The SDK reads the streamed-argument parts as they are; assembling them is the gateway's job.
      expect(view.calls).toEqual(want.toolCalls.map((t) => ({ name: t.name, args: {} })));
      expect(view.partialArgs).toBe(6);
    } else {
      expect(view.calls).toEqual(want.toolCalls.map((t) => ({ name: t.name, args: t.arguments })));
    }
    if (want.usage) {
      const u = view.usage!;
      // Prompt tokens of server-side tool results count as prompt tokens.
      expect((u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0)).toBe(want.usage.prompt_tokens);
      expect((u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0)).toBe(want.usage.completion_tokens);
      expect(u.totalTokenCount).toBe(want.usage.total_tokens);
    }

    switch (name) {
      case 'vertex-gemini/mid-stream-error':
        expect(view.error).toBeInstanceOf(ApiError);
        expect((view.error as ApiError).status).toBe(429);
        expect((view.error as ApiError).message).toContain('got status: RESOURCE_EXHAUSTED.');
        return;
      case 'vertex-gemini/malformed-function-call':
        expect(view.error).toBeNull();
        expect(view.finishReason).toBe('MALFORMED_FUNCTION_CALL');
        expect(want.error!.message).toMatch(/^MALFORMED_FUNCTION_CALL: /);
        return;
      default:
        expect(view.error).toBeNull();
        expect(want.error).toBeUndefined();
        expect(view.finishReason).toBe(RAW_FINISH[name] ?? 'STOP');
    }
  });
});
