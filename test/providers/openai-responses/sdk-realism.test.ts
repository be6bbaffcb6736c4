// Fixture realism: the official openai SDK's Responses client (`responses.create({stream: true})`)
// reads every openai-responses cassette served over real loopback by the replay upstream, with no
// gateway in between, and gets the cassette's text, function calls, reasoning and usage. The
// documented `error` event ({type, code, message, param}) and response.failed are yielded as events:
// the SDK throws only for data with an `error` key, which the documented Responses events never have.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { shippedCassettes } from '../../helpers/cassettes.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const cassettes = shippedCassettes().filter((c) => c.provider === 'openai-responses');

let replay: ReplayUpstream;
let client: OpenAI;
beforeAll(async () => {
  replay = await startReplayUpstream();
  client = new OpenAI({ apiKey: 'sk-sdk-realism', baseURL: `${replay.baseUrl('openai-responses')}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await replay.close();
});

interface SdkView {
  text: string;
  reasoning: string[];
  calls: { id: string; name: string; arguments: unknown }[];
  argumentsDone: unknown[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  terminal: string | null;
  failedMessage: string | null;
  errorEvent: { code: string | null; message: string } | null;
  thrown: unknown;
}

async function readWithSdk(params: Record<string, unknown>): Promise<SdkView> {
  const view: SdkView = {
    text: '',
    reasoning: [],
    calls: [],
    argumentsDone: [],
    usage: null,
    terminal: null,
    failedMessage: null,
    errorEvent: null,
    thrown: null,
  };
  const stream = await client.responses.create({ ...(params as unknown as OpenAI.Responses.ResponseCreateParamsStreaming), stream: true });
  try {
    for await (const event of stream) {
      switch (event.type) {
        case 'response.output_text.delta':
          view.text += event.delta;
          break;
        case 'response.reasoning_summary_text.delta':
          view.reasoning[event.summary_index] = (view.reasoning[event.summary_index] ?? '') + event.delta;
          break;
        case 'response.function_call_arguments.done':
          view.argumentsDone.push(JSON.parse(event.arguments));
          break;
        case 'response.output_item.done':
          if (event.item.type === 'function_call')
            view.calls.push({ id: event.item.call_id, name: event.item.name, arguments: JSON.parse(event.item.arguments) });
          break;
        case 'response.completed':
        case 'response.incomplete': {
          view.terminal = event.type;
          const u = event.response.usage;
          if (u) view.usage = { prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, total_tokens: u.total_tokens };
          break;
        }
        case 'error':
          view.errorEvent = { code: event.code, message: event.message };
          break;
        case 'response.failed':
          view.terminal = event.type;
          view.failedMessage = event.response.error?.message ?? null;
          break;
        default:
          break;
      }
    }
  } catch (err) {
    view.thrown = err;
  }
  return view;
}

describe('the openai SDK reads every openai-responses cassette', () => {
  it('has cassettes to read', () => {
    expect(cassettes.length).toBeGreaterThanOrEqual(4);
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (_name, cassette) => {
    const exchange = replay.arm('openai-responses', { cassette, chunks: cassette.response.chunks, speed: 0 });
    // The SDK sends the cassette's upstream request itself: the recorded request is one the API takes.
    const view = await readWithSdk(cassette.upstreamRequest.body as Record<string, unknown>);
    const want = cassette.expect;

    expect(view.text).toBe(want.text);
    expect(view.calls).toEqual(want.toolCalls);
    expect(view.argumentsDone).toEqual(want.toolCalls.map((t) => t.arguments));
    expect(view.reasoning.join('\n\n')).toBe(want.reasoning ?? '');
    if (want.usage) expect(view.usage).toEqual(want.usage);
    if (!want.error) {
      expect(view.thrown).toBeNull();
      expect(view.terminal).toBe(want.finishReason === 'length' ? 'response.incomplete' : 'response.completed');
    } else {
      // An `error` event and response.failed are ordinary events to the SDK: the caller must look at them.
      expect(view.thrown).toBeNull();
      if (view.errorEvent !== null) expect(view.errorEvent.message).toBe(want.error.message);
      expect(view.terminal).toBe('response.failed');
      expect(view.failedMessage).toBe(want.error.message);
    }
    expect(requestProblems(await exchange)).toEqual([]);
  });

  it('yields the error event and response.failed of error-after-text, and response.failed of failed-rate-limit', async () => {
    const byName = new Map(cassettes.map((c) => [c.name, c]));
    const errorAfterText = byName.get('openai-responses/error-after-text')!;
    replay.arm('openai-responses', { cassette: errorAfterText, chunks: errorAfterText.response.chunks, speed: 0 });
    const afterText = await readWithSdk(errorAfterText.upstreamRequest.body as Record<string, unknown>);
    expect(afterText.thrown).toBeNull();
    expect(afterText.errorEvent?.code).toBe('server_error');
    expect(afterText.terminal).toBe('response.failed');
    const failed = byName.get('openai-responses/failed-rate-limit')!;
    replay.arm('openai-responses', { cassette: failed, chunks: failed.response.chunks, speed: 0 });
    const view = await readWithSdk(failed.upstreamRequest.body as Record<string, unknown>);
    expect(view.thrown).toBeNull();
    expect(view.terminal).toBe('response.failed');
  });
});
