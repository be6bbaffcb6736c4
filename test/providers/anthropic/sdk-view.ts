// How a client of the Anthropic Messages API sees a stream, read with the official SDK: shared by
// the anthropic and vertex-anthropic realism suites.
import type Anthropic from '@anthropic-ai/sdk';
import { expect } from 'vitest';
import type { Cassette } from '../../../src/cassette/cassette.ts';

export interface SdkView {
  text: string;
  reasoning: string;
  signature: string;
  toolCalls: { id: string; name: string; arguments: unknown }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  stopReason: string | null;
  sawMessageStop: boolean;
  error: unknown;
}

/** Reads the raw SDK events the way a client of the Messages API does. */
export async function readWithSdk(client: Anthropic, params: Anthropic.MessageCreateParamsStreaming): Promise<SdkView> {
  const view: SdkView = {
    text: '',
    reasoning: '',
    signature: '',
    toolCalls: [],
    usage: null,
    stopReason: null,
    sawMessageStop: false,
    error: null,
  };
  const inputs = new Map<number, { id: string; name: string; json: string }>();
  const usage = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
  try {
    const stream = await client.messages.create(params);
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start':
          usage.input = event.message.usage.input_tokens;
          usage.cacheRead = event.message.usage.cache_read_input_tokens ?? 0;
          usage.cacheWrite = event.message.usage.cache_creation_input_tokens ?? 0;
          break;
        case 'content_block_start':
          if (event.content_block.type === 'tool_use')
            inputs.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: '' });
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') view.text += event.delta.text;
          else if (event.delta.type === 'thinking_delta') view.reasoning += event.delta.thinking;
          else if (event.delta.type === 'signature_delta') view.signature += event.delta.signature;
          else if (event.delta.type === 'input_json_delta') {
            // Only client tool_use blocks are calls; server_tool_use and mcp_tool_use stream input too.
            const call = inputs.get(event.index);
            if (call) call.json += event.delta.partial_json;
          }
          break;
        case 'message_delta':
          view.stopReason = event.delta.stop_reason;
          usage.output = event.usage.output_tokens;
          if (typeof event.usage.input_tokens === 'number') usage.input = event.usage.input_tokens;
          break;
        case 'message_stop':
          view.sawMessageStop = true;
          break;
        default:
          break;
      }
    }
  } catch (err) {
    view.error = err;
  }
  view.toolCalls = [...inputs.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, t]) => ({ id: t.id, name: t.name, arguments: JSON.parse(t.json === '' ? '{}' : t.json) as unknown }));
  if (view.sawMessageStop) {
    // The gateway's documented choice: OpenAI prompt_tokens include cached input.
    const prompt = usage.input + usage.cacheRead + usage.cacheWrite;
    view.usage = { prompt_tokens: prompt, completion_tokens: usage.output, total_tokens: prompt + usage.output };
  }
  return view;
}

export function expectCassetteView(view: SdkView, cassette: Cassette): void {
  const want = cassette.expect;
  expect(view.text).toBe(want.text);
  expect(view.reasoning).toBe(want.reasoning ?? '');
  expect(view.toolCalls).toEqual(want.toolCalls);
  if (want.usage) expect(view.usage).toEqual(want.usage);
  if (want.error) {
    expect(view.sawMessageStop).toBe(false);
  } else {
    expect(view.error).toBeNull();
    expect(view.sawMessageStop).toBe(true);
  }
}
