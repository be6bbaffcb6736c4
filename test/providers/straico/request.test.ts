// Chat request → Straico request, on both endpoints: content forms, tool definitions and tool
// history as XML text, the flattened prompt, and what Straico cannot take.
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../../src/providers/straico/request.ts';
import { renderToolCall, renderToolResult, toolPreamble } from '../../../src/providers/straico/tool-xml.ts';
import type { ChatRequest, ProviderRoute } from '../../../src/providers/types.ts';

const chatRoute: ProviderRoute = { baseUrl: 'https://api.straico.com', apiKey: 'sk-test', headers: {}, options: {} };
const promptRoute: ProviderRoute = { ...chatRoute, options: { endpoint: 'prompt' } };

function body(request: Omit<ChatRequest, 'model'>, route = chatRoute): Record<string, unknown> {
  return JSON.parse(buildRequest({ model: 'openai/gpt-4o-mini', ...request }, route).body) as Record<string, unknown>;
}
const text = (t: string) => ({ type: 'text', text: t });

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const NOW = { type: 'function', function: { name: 'now' } };

describe('straico request (chat endpoint)', () => {
  it('posts to /v0/chat/completions with a bearer key and no stream field', () => {
    const req = buildRequest(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
      chatRoute,
    );
    expect(req.path).toBe('/v0/chat/completions');
    expect(req.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer sk-test' });
    expect(JSON.parse(req.body)).toEqual({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: [text('hi')] }] });
  });

  it('accepts string and part-array content, keeps each part, and maps developer to system', () => {
    expect(
      body({
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: [text('One.'), text('Two.')] },
          { role: 'assistant', content: 'Ok.' },
          { role: 'user', content: 'Three.' },
        ],
        temperature: 0.2,
        max_completion_tokens: 50,
      }),
    ).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: [text('Be brief.')] },
        { role: 'user', content: [text('One.'), text('Two.')] },
        { role: 'assistant', content: [text('Ok.')] },
        { role: 'user', content: [text('Three.')] },
      ],
      temperature: 0.2,
      max_tokens: 50,
    });
  });

  it('puts the tool preamble first and writes tool history as XML text', () => {
    const b = body({
      messages: [
        { role: 'system', content: 'You help travellers.' },
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '3 °C' },
        { role: 'tool', tool_call_id: 'call_2', content: [text('19 °C')] },
        { role: 'user', content: 'Which is warmer?' },
      ],
      tools: [WEATHER],
    });
    expect(b['messages']).toEqual([
      {
        role: 'system',
        content: [
          text(
            toolPreamble(
              [{ name: 'get_weather', description: 'Current weather.', parameters: WEATHER.function.parameters }],
              { kind: 'auto' },
              true,
            ),
          ),
        ],
      },
      { role: 'system', content: [text('You help travellers.')] },
      { role: 'user', content: [text('Weather in Oslo and Rome?')] },
      {
        role: 'assistant',
        content: [
          text(
            '<tool_call><name>get_weather</name><arguments>{"city":"Oslo"}</arguments></tool_call>\n<tool_call><name>get_weather</name><arguments>{"city":"Rome"}</arguments></tool_call>',
          ),
        ],
      },
      {
        role: 'user',
        content: [
          text('<tool_result><name>get_weather</name><content>3 °C</content></tool_result>'),
          text('<tool_result><name>get_weather</name><content>19 °C</content></tool_result>'),
        ],
      },
      { role: 'user', content: [text('Which is warmer?')] },
    ]);
  });

  it('states tool_choice and parallel_tool_calls in the preamble, and leaves tools out for "none"', () => {
    const preamble = (request: Omit<ChatRequest, 'model'>) => {
      const first = (
        body({ messages: [{ role: 'user', content: 'x' }], tools: [NOW], ...request })['messages'] as { content: { text: string }[] }[]
      )[0]!;
      return first.content[0]!.text;
    };
    expect(preamble({})).toContain('If no function is needed, answer normally, without any <tool_call>.');
    expect(preamble({})).toContain('You may call several functions in one answer.');
    expect(preamble({ tool_choice: 'required' })).toContain('You must call at least one function.');
    expect(preamble({ tool_choice: { type: 'function', function: { name: 'now' } } })).toContain(
      'You must call the function now, and no other.',
    );
    expect(preamble({ parallel_tool_calls: false })).toContain('Call at most one function per answer.');
    // A tool without parameters still gets a schema the model can read.
    expect(preamble({})).toContain('<function><name>now</name><parameters>{"type":"object","properties":{}}</parameters></function>');
    expect(body({ messages: [{ role: 'user', content: 'x' }], tools: [NOW], tool_choice: 'none' })['messages']).toEqual([
      { role: 'user', content: [text('x')] },
    ]);
  });

  it('writes the exact preamble the answer parser expects', () => {
    expect(toolPreamble([{ name: 'now', parameters: { type: 'object' } }], { kind: 'auto' }, true)).toBe(
      [
        'You can call the following functions. Each has a name, a description and a JSON Schema of its arguments.',
        '',
        '<functions>',
        '<function><name>now</name><parameters>{"type":"object"}</parameters></function>',
        '</functions>',
        '',
        'To call a function, answer with one <tool_call> element per call, exactly in this form:',
        '<tool_call><name>FUNCTION_NAME</name><arguments>{"argument":"value"}</arguments></tool_call>',
        "The arguments must be one JSON object that follows the function's schema. You may call several functions in one answer. Write nothing after the last </tool_call>. Results come back in <tool_result> elements.",
        'If no function is needed, answer normally, without any <tool_call>.',
      ].join('\n'),
    );
    expect(renderToolCall('f', '{"a":1}')).toBe('<tool_call><name>f</name><arguments>{"a":1}</arguments></tool_call>');
    expect(renderToolResult('f', 'ok')).toBe('<tool_result><name>f</name><content>ok</content></tool_result>');
  });

  it('keeps the assistant text before its tool calls', () => {
    const messages = body({
      messages: [
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'c', type: 'function', function: { name: 'now', arguments: '' } }] },
      ],
    })['messages'];
    expect(messages).toEqual([
      { role: 'assistant', content: [text('Checking.'), text('<tool_call><name>now</name><arguments>{}</arguments></tool_call>')] },
    ]);
  });

  it('refuses what Straico cannot take, naming it', () => {
    const m = { messages: [{ role: 'user', content: 'x' }] };
    expect(() => body({ ...m, top_p: 0.5 })).toThrow(/"top_p" is not supported by Straico/);
    expect(() => body({ ...m, stop: ['END'] })).toThrow(/"stop"/);
    expect(() => body({ ...m, response_format: { type: 'json_object' } })).toThrow(/"response_format"/);
    expect(() => body({ ...m, n: 3 })).toThrow(/n other than 1/);
    expect(() => body({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }] })).toThrow(
      /content\[0\] has type "image_url"/,
    );
    expect(() => body({ messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] })).toThrow(
      /tool_call_id "nope", which no earlier assistant message called/,
    );
    expect(() => body({ ...m, tools: [{ type: 'code_interpreter' }] })).toThrow(/tools\[0\] must be a function tool/);
    expect(() => body(m, { ...chatRoute, options: { endpoint: 'v2' } })).toThrow(/endpoint must be "chat" or "prompt", got "v2"/);
    // Harmless fields are dropped, not refused.
    expect(body({ ...m, user: 'u', metadata: { a: 'b' }, store: false, n: 1 })).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: [text('x')] }],
    });
  });
});

describe('straico request (prompt endpoint)', () => {
  it('posts to /v1/prompt/completion with models and a lone user message as it is', () => {
    const req = buildRequest(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }], temperature: 0.5, max_tokens: 90 },
      promptRoute,
    );
    expect(req.path).toBe('/v1/prompt/completion');
    expect(JSON.parse(req.body)).toEqual({ models: ['openai/gpt-4o-mini'], message: 'Hello there', temperature: 0.5, max_tokens: 90 });
  });

  it('flattens a conversation, tools included, into tagged turns', () => {
    const b = body(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [text('Time?'), text('Please.')] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'now', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '14:05' },
        ],
        tools: [NOW],
      },
      promptRoute,
    );
    const preamble = toolPreamble([{ name: 'now', parameters: { type: 'object', properties: {} } }], { kind: 'auto' }, true);
    expect(b).toEqual({
      models: ['openai/gpt-4o-mini'],
      message: [
        `<system>\n${preamble}\n</system>`,
        '<system>\nBe brief.\n</system>',
        '<user>\nTime?\nPlease.\n</user>',
        '<assistant>\n<tool_call><name>now</name><arguments>{}</arguments></tool_call>\n</assistant>',
        '<user>\n<tool_result><name>now</name><content>14:05</content></tool_result>\n</user>',
      ].join('\n'),
    });
  });
});
