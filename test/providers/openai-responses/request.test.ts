// Chat request → Responses API request: roles, tool history, tools, limits and the fields that
// have no Responses equivalent.
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../../src/providers/openai-responses/request.ts';
import type { ChatRequest, ProviderRoute } from '../../../src/providers/types.ts';

const route: ProviderRoute = { baseUrl: 'https://api.openai.com', apiKey: 'sk-test', headers: { 'OpenAI-Project': 'proj_1' }, options: {} };

function body(request: Omit<ChatRequest, 'model'> & { model?: string }): Record<string, unknown> {
  return JSON.parse(buildRequest({ model: 'gpt-4.1', ...request }, route).body) as Record<string, unknown>;
}

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('openai-responses request', () => {
  it('posts to /v1/responses with a bearer key, SSE accept and the route headers', () => {
    const req = buildRequest({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }, route);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/responses');
    expect(req.query).toEqual({});
    expect(req.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: 'Bearer sk-test',
      'openai-project': 'proj_1',
    });
  });

  it('keeps system and developer messages in place as developer messages; parts become input_text', () => {
    expect(
      body({
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Part one.' },
              { type: 'text', text: 'Part two.' },
            ],
          },
          { role: 'assistant', content: [{ type: 'text', text: 'Noted.' }] },
          { role: 'developer', content: [{ type: 'text', text: 'Now answer in French.' }] },
          { role: 'user', content: 'Go.' },
        ],
        stream: true,
        stream_options: { include_usage: true },
      }),
    ).toEqual({
      model: 'gpt-4.1',
      input: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Part one.' },
            { type: 'input_text', text: 'Part two.' },
          ],
        },
        { role: 'assistant', content: 'Noted.' },
        { role: 'developer', content: [{ type: 'input_text', text: 'Now answer in French.' }] },
        { role: 'user', content: 'Go.' },
      ],
      store: false,
      stream: true,
    });
  });

  it('turns assistant tool_calls into function_call items and tool results into function_call_output items', () => {
    expect(
      body({
        messages: [
          { role: 'user', content: 'Weather in Oslo and Rome?' },
          {
            role: 'assistant',
            content: 'Checking both.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
              { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":3}' },
          {
            role: 'tool',
            tool_call_id: 'call_2',
            content: [
              { type: 'text', text: '{"temp_c":' },
              { type: 'text', text: '19}' },
            ],
          },
        ],
        tools: [WEATHER],
      }),
    ).toEqual({
      model: 'gpt-4.1',
      input: [
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        { role: 'assistant', content: 'Checking both.' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp_c":3}' },
        { type: 'function_call_output', call_id: 'call_2', output: '{"temp_c":19}' },
      ],
      tools: [
        { type: 'function', name: 'get_weather', description: 'Current weather.', parameters: WEATHER.function.parameters, strict: false },
      ],
      store: false,
      stream: true,
    });
  });

  it('omits an empty assistant message that only carries tool calls, and gives argument-less calls {}', () => {
    const input = body({
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'd', type: 'function', function: { name: 'g', arguments: '' } },
          ],
        },
      ],
    })['input'];
    expect(input).toEqual([
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{"a":1}' },
      { type: 'function_call', call_id: 'd', name: 'g', arguments: '{}' },
    ]);
  });

  it('flattens tools, keeps strict as the client set it, and maps tool_choice', () => {
    const b = body({
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'now', strict: true } }, WEATHER],
      tool_choice: { type: 'function', function: { name: 'now' } },
      parallel_tool_calls: false,
    });
    expect(b['tools']).toEqual([
      { type: 'function', name: 'now', parameters: { type: 'object', properties: {} }, strict: true },
      { type: 'function', name: 'get_weather', description: 'Current weather.', parameters: WEATHER.function.parameters, strict: false },
    ]);
    expect(b['tool_choice']).toEqual({ type: 'function', name: 'now' });
    expect(b['parallel_tool_calls']).toBe(false);
    expect(body({ messages: [], tool_choice: 'required' })['tool_choice']).toBe('required');
  });

  it('maps limits, sampling, response_format and reasoning_effort', () => {
    expect(
      body({
        messages: [],
        max_tokens: 100,
        max_completion_tokens: 200,
        temperature: 0.3,
        top_p: 0.9,
        user: 'u-1',
        metadata: { team: 'a' },
        store: true,
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
        reasoning_effort: 'high',
      }),
    ).toEqual({
      model: 'gpt-4.1',
      input: [],
      max_output_tokens: 200,
      temperature: 0.3,
      top_p: 0.9,
      user: 'u-1',
      metadata: { team: 'a' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'high', summary: 'auto' },
      store: true,
      stream: true,
    });
    expect(body({ messages: [], max_tokens: 64 })['max_output_tokens']).toBe(64);
    expect(body({ messages: [], response_format: { type: 'json_object' } })['text']).toEqual({ format: { type: 'json_object' } });
  });

  it('sends stream true even when the client did not stream (the gateway aggregates the events)', () => {
    expect(body({ messages: [], stream: false })['stream']).toBe(true);
  });

  it('refuses what the Responses API cannot express, with the field named', () => {
    const m = { messages: [{ role: 'user', content: 'x' }] };
    expect(() => body({ ...m, stop: ['\n'] })).toThrow(/"stop" has no Responses API equivalent/);
    expect(() => body({ ...m, frequency_penalty: 0.5 })).toThrow(/"frequency_penalty"/);
    expect(() => body({ ...m, n: 2 })).toThrow(/n other than 1/);
    expect(body({ ...m, n: 1 })['input']).toEqual([{ role: 'user', content: 'x' }]);
    expect(() => body({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] })).toThrow(
      /messages\[0\]\.content\[0\] has type "image_url"/,
    );
    expect(() => body({ messages: [{ role: 'function', name: 'f', content: 'x' }] })).toThrow(/unsupported role "function"/);
    expect(() => body({ messages: [{ role: 'tool', content: 'x' }] })).toThrow(/tool_call_id/);
    expect(() => body({ messages: 'hi' })).toThrow(/"messages" must be an array/);
    expect(() => body({ ...m, tools: [{ type: 'web_search' }] })).toThrow(/tools\[0\] must be a function tool/);
  });
});
