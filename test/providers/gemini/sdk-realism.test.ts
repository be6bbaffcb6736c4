// FIXTURE REALISM: the official @google/genai SDK (2.x) reads every Gemini cassette as the replay
// upstream serves it over real loopback, and yields the cassette's text, function calls and
// usage. The SDK's own request also goes to the path our translator targets.
//
// What the SDK does with the failure cassettes (asserted below, so a change shows up here):
// - an in-band {"error":{code,…}} event: the iterator THROWS an ApiError whose status is the code
//   (its message is `got status: <STATUS>. <the error JSON>`), after yielding the text before it;
// - EOF without a finishReason: no error at all (the SDK does not notice the truncation, which is
//   why the gateway must);
// - a blocked prompt: a chunk with promptFeedback.blockReason and no candidates, no error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayExchange, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { ApiError, readWithGenai } from './genai-sdk.ts';

/** Gemini's own finishReason where it is not STOP (the cassettes' expect holds OpenAI's word). */
const RAW_FINISH: Record<string, string> = { 'gemini/max-tokens-thinking': 'MAX_TOKENS' };

const cassettes = shippedCassettes().filter((c) => c.provider === 'gemini');
let replay: ReplayUpstream;
const exchanges: ReplayExchange[] = [];

beforeAll(async () => {
  replay = await startReplayUpstream({ onExchange: (e) => exchanges.push(e) });
});
afterAll(async () => {
  await replay.close();
});

describe('@google/genai reads every gemini cassette', () => {
  it('has the cassettes the issue asks for', () => {
    expect(cassettes.length).toBeGreaterThanOrEqual(4);
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (name, cassette) => {
    const { view, exchange } = await readWithGenai(replay, cassette, exchanges);
    const want = cassette.expect;

    // The SDK asks for exactly the path and query the gateway's translation sends.
    expect(exchange?.request.path).toBe(cassette.upstreamRequest.path);
    expect(exchange?.request.query.get('alt')).toBe('sse');
    expect(exchange?.request.headers['x-goog-api-key']).toBeDefined();

    expect(view.text).toBe(want.text);
    expect(view.reasoning).toBe(want.reasoning ?? '');
    expect(view.calls).toEqual(want.toolCalls.map((t) => ({ name: t.name, args: t.arguments })));
    if (want.usage) {
      const u = view.usage!;
      // Prompt tokens of server-side tool results count as prompt tokens.
      expect((u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0)).toBe(want.usage.prompt_tokens);
      expect((u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0)).toBe(want.usage.completion_tokens);
      expect(u.totalTokenCount).toBe(want.usage.total_tokens);
    }

    switch (name) {
      case 'gemini/mid-stream-error':
        expect(view.error).toBeInstanceOf(ApiError);
        expect((view.error as ApiError).status).toBe(503);
        expect((view.error as ApiError).message).toContain('got status: UNAVAILABLE.');
        expect((view.error as ApiError).message).toContain(want.error!.message!);
        expect(view.finishReason).toBeUndefined();
        return;
      case 'gemini/truncated':
        expect(view.error).toBeNull();
        expect(view.finishReason).toBeUndefined();
        return;
      case 'gemini/prompt-blocked':
        expect(view.error).toBeNull();
        expect(view.blockReason).toBe('SAFETY');
        expect(view.finishReason).toBeUndefined();
        return;
      default:
        expect(view.error).toBeNull();
        expect(want.error).toBeUndefined();
        expect(view.finishReason).toBe(RAW_FINISH[name] ?? 'STOP');
    }
  });
});
