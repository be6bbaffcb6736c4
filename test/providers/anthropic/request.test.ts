// OpenAI chat requests → Anthropic Messages requests: exact native bodies and headers.
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../../src/providers/anthropic/request.ts';
import type { ChatRequest, ProviderRoute } from '../../../src/providers/types.ts';

const route: ProviderRoute = { baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-test', headers: {}, options: {} };

function body(request: Omit<ChatRequest, 'model'> & { model?: string }, r: ProviderRoute = route): unknown {
  return JSON.parse(buildRequest({ model: 'claude-sonnet-4-5', ...request }, r).body);
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

describe('anthropic buildRequest', () => {
  it('posts to /v1/messages with x-api-key and anthropic-version, no bearer and no beta by default', () => {
    const req = buildRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true }, route);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/messages');
    expect(req.query).toEqual({});
    expect(req.headers).toEqual({
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-test',
      accept: 'text/event-stream',
    });
  });

  it('sends anthropic-beta when the route configures it, and the route headers', () => {
    const req = buildRequest(
      { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
      { ...route, options: { beta: 'interleaved-thinking-2025-05-14,context-1m-2025-08-07' }, headers: { 'X-Team': 'a' } },
    );
    expect(req.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14,context-1m-2025-08-07');
    expect(req.headers['x-team']).toBe('a');
  });

  it('hoists system and developer messages, defaults max_tokens and drops stream_options', () => {
    expect(
      body({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
        ],
        stream: true,
        stream_options: { include_usage: true },
      }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
  });

  it('keeps several system prompts as separate text blocks, in order, wherever they stood', () => {
    expect(
      body({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        ],
      }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Answer in French.' },
      ],
      messages: [{ role: 'user', content: 'Hello' }],
    });
  });

  it('translates a tool conversation: tool_use blocks with parsed input, tool results merged into one user turn', () => {
    expect(
      body({
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '12 °C' },
          { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '19 °C' }] },
          { role: 'user', content: 'Which is warmer?' },
        ],
        tools: [weatherTool],
        max_tokens: 300,
      }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '12 °C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '19 °C' }] },
            { type: 'text', text: 'Which is warmer?' },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city.',
          input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
        },
      ],
    });
  });

  it('puts tool_result blocks before text even when the user text came first', () => {
    const b = body({
      messages: [
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '' } }] },
        { role: 'user', content: 'also this' },
        { role: 'tool', tool_call_id: 't', content: 'done' },
      ],
    }) as { messages: unknown[] };
    expect(b.messages).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 't', name: 'f', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't', content: 'done' },
          { type: 'text', text: 'also this' },
        ],
      },
    ]);
  });

  it('merges consecutive messages of one role and translates content parts (text, images)', () => {
    const b = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] },
        { role: 'assistant', content: 'Anything else?' },
      ],
    }) as { messages: unknown[] };
    expect(b.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'A cat.' },
          { type: 'text', text: 'Anything else?' },
        ],
      },
    ]);
  });

  it('maps tool_choice and parallel_tool_calls', () => {
    const base = { messages: [{ role: 'user', content: 'x' }], tools: [weatherTool] };
    const choice = (extra: Record<string, unknown>) => (body({ ...base, ...extra }) as { tool_choice?: unknown }).tool_choice;
    expect(choice({})).toBeUndefined();
    expect(choice({ tool_choice: 'auto' })).toEqual({ type: 'auto' });
    expect(choice({ tool_choice: 'required' })).toEqual({ type: 'any' });
    expect(choice({ tool_choice: 'none' })).toEqual({ type: 'none' });
    expect(choice({ tool_choice: { type: 'function', function: { name: 'get_weather' } } })).toEqual({ type: 'tool', name: 'get_weather' });
    expect(choice({ parallel_tool_calls: false })).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(choice({ tool_choice: 'required', parallel_tool_calls: false })).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('gives a tool without parameters an empty object schema', () => {
    const b = body({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'now' } }] }) as {
      tools: unknown;
    };
    expect(b.tools).toEqual([{ name: 'now', input_schema: { type: 'object', properties: {} } }]);
  });

  it('maps sampling fields, stop, user and max_completion_tokens; drops what Anthropic lacks', () => {
    expect(
      body({
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 10,
        max_completion_tokens: 20,
        temperature: 0.3,
        top_p: 0.8,
        top_k: 40,
        stop: 'END',
        user: 'u-1',
        presence_penalty: 0.5,
        frequency_penalty: 0.5,
        seed: 7,
        n: 1,
      }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'x' }],
      temperature: 0.3,
      top_p: 0.8,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
    });
  });

  it('turns reasoning_effort into a thinking budget that fits under max_tokens', () => {
    const msgs = [{ role: 'user', content: 'x' }];
    expect(body({ messages: msgs, reasoning_effort: 'low' })).toMatchObject({
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(body({ messages: msgs, reasoning_effort: 'high' })).toMatchObject({
      max_tokens: 8192,
      thinking: { type: 'enabled', budget_tokens: 4096 },
    });
    expect(body({ messages: msgs, reasoning_effort: 'none' })).not.toHaveProperty('thinking');
    expect(body({ messages: msgs, thinking: { type: 'enabled', budget_tokens: 2000 }, max_tokens: 3000 })).toMatchObject({
      max_tokens: 3000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
    });
  });

  it.each([
    ['n > 1', { n: 2 }, /"n" must be 1/],
    ['logprobs', { logprobs: true }, /logprobs/],
    ['a JSON response format', { response_format: { type: 'json_object' } }, /response_format "json_object"/],
    ['legacy functions', { functions: [] }, /legacy "functions"/],
    ['an unknown role', { messages: [{ role: 'function', content: 'x' }] }, /messages\[0\]: role "function"/],
    [
      'an audio part',
      { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      /content part type "input_audio"/,
    ],
    [
      'tool arguments that are not JSON',
      { messages: [{ role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] },
      /not valid JSON/,
    ],
    [
      'tool arguments that are not an object',
      { messages: [{ role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] },
      /must be a JSON object/,
    ],
    ['a tool message without tool_call_id', { messages: [{ role: 'tool', content: 'x' }] }, /tool_call_id/],
    ['an empty assistant message', { messages: [{ role: 'assistant', content: '' }] }, /needs non-empty content or tool_calls/],
    [
      'a non-function tool',
      { messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search' }] },
      /only \{type: "function"\} tools/,
    ],
    ['no messages', { messages: [] }, /non-empty array/],
  ])('refuses %s with a clear error', (_what, extra, message) => {
    expect(() => body({ messages: [{ role: 'user', content: 'x' }], ...extra })).toThrow(message);
  });
});
