// OpenAI chat request → Gemini GenerateContentRequest: exact native bodies for the shapes clients send.
import { describe, expect, it } from 'vitest';
import { buildGeminiBody, buildRequest } from '../../../src/providers/gemini/request.ts';
import type { ChatRequest, ProviderRoute } from '../../../src/providers/types.ts';

const route: ProviderRoute = { baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'test-key', headers: {}, options: {} };
const body = (r: Omit<ChatRequest, 'model'>) => buildGeminiBody({ model: 'gemini-2.5-flash', ...r });

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  },
};

describe('gemini request', () => {
  it('targets streamGenerateContent with alt=sse and the key in x-goog-api-key', () => {
    const req = buildRequest(
      { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { ...route, headers: { 'X-Trace': 't1' } },
    );
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(req.query).toEqual({ alt: 'sse' });
    expect(req.headers).toEqual({ 'content-type': 'application/json', 'x-goog-api-key': 'test-key', 'x-trace': 't1' });
    expect(JSON.parse(req.body)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  });

  it('drops a models/ prefix and never sends stream or model in the body', () => {
    const req = buildRequest(
      {
        model: 'models/gemini-2.5-pro',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      },
      route,
    );
    expect(req.path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent');
    expect(Object.keys(JSON.parse(req.body))).toEqual(['contents']);
  });

  it('puts system and developer messages in systemInstruction and sampling settings in generationConfig', () => {
    expect(
      body({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hello' },
        ],
        max_tokens: 100,
        temperature: 0.3,
        top_p: 0.9,
        stop: 'END',
        n: 2,
        seed: 7,
        presence_penalty: 0.1,
        frequency_penalty: 0.2,
      }),
    ).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hello' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
      generationConfig: {
        maxOutputTokens: 100,
        temperature: 0.3,
        topP: 0.9,
        stopSequences: ['END'],
        candidateCount: 2,
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
        seed: 7,
      },
    });
  });

  it('prefers max_completion_tokens and keeps a stop array', () => {
    expect(
      body({ messages: [{ role: 'user', content: 'x' }], max_tokens: 10, max_completion_tokens: 20, stop: ['a', 'b'] })['generationConfig'],
    ).toEqual({
      maxOutputTokens: 20,
      stopSequences: ['a', 'b'],
    });
  });

  it('turns content part arrays into parts, and a data: image into inlineData', () => {
    expect(
      body({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      })['contents'],
    ).toEqual([{ role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] }]);
  });

  it('translates tools, tool_choice and a whole tool-calling turn', () => {
    expect(
      body({
        messages: [
          { role: 'user', content: 'Weather in Paris and Tokyo?' },
          {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":14}' },
          {
            role: 'tool',
            tool_call_id: 'call_2',
            content: [
              { type: 'text', text: 'sunny, ' },
              { type: 'text', text: '21' },
            ],
          },
          { role: 'user', content: 'Thanks!' },
        ],
        tools: [weatherTool],
        tool_choice: 'required',
      }),
    ).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris and Tokyo?' }] },
        {
          role: 'model',
          parts: [
            { text: 'Let me check.' },
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
            { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { temp: 14 } } },
            { functionResponse: { name: 'get_weather', response: { result: 'sunny, 21' } } },
          ],
        },
        { role: 'user', parts: [{ text: 'Thanks!' }] },
      ],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather for a city.',
              parametersJsonSchema: {
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
                additionalProperties: false,
              },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });
  });

  it('wraps tool results that are not JSON objects as {result}', () => {
    const results = ['42', '[1,2]', '"quoted"', 'null', 'plain text', '{"ok":true}'].map((content, k) => {
      const b = body({
        messages: [
          { role: 'assistant', content: null, tool_calls: [{ id: `c${k}`, type: 'function', function: { name: 'f', arguments: '' } }] },
          { role: 'tool', tool_call_id: `c${k}`, content },
        ],
      });
      const contents = b['contents'] as { parts: { functionResponse?: { response: unknown }; functionCall?: unknown }[] }[];
      expect(contents[0]!.parts[0]!.functionCall).toEqual({ name: 'f', args: {} });
      return contents[1]!.parts[0]!.functionResponse!.response;
    });
    expect(results).toEqual([
      { result: 42 },
      { result: [1, 2] },
      { result: 'quoted' },
      { result: null },
      { result: 'plain text' },
      { ok: true },
    ]);
  });

  it('maps every tool_choice form', () => {
    const choice = (tool_choice: unknown) =>
      body({ messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], tool_choice })['toolConfig'];
    expect(choice('auto')).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(choice('none')).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(choice({ type: 'function', function: { name: 'get_weather' } })).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    });
    expect(choice(undefined)).toBeUndefined();
  });

  it('maps reasoning_effort to a thinking budget with thought summaries', () => {
    const config = (reasoning_effort: string) => body({ messages: [{ role: 'user', content: 'x' }], reasoning_effort })['generationConfig'];
    expect(config('low')).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } });
    expect(config('medium')).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } });
    expect(config('high')).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 24576 } });
    expect(config('none')).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });

  it('maps response_format to a JSON response', () => {
    expect(body({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } })['generationConfig']).toEqual({
      responseMimeType: 'application/json',
    });
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    expect(
      body({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 's', schema } } })[
        'generationConfig'
      ],
    ).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
  });

  it('rejects what it cannot translate, with a message that names the problem', () => {
    const bad: [Omit<ChatRequest, 'model'>, RegExp][] = [
      [{ messages: [] }, /non-empty array/],
      [{ messages: [{ role: 'function', content: 'x' }] }, /unsupported role "function"/],
      [
        { messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] },
        /answers tool call "nope", which no earlier assistant message made/,
      ],
      [
        {
          messages: [
            { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{oops' } }] },
          ],
        },
        /not valid JSON/,
      ],
      [
        {
          messages: [
            { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '[1]' } }] },
          ],
        },
        /must be a JSON object/,
      ],
      [{ messages: [{ role: 'assistant', content: null }] }, /neither content nor tool_calls/],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }, /base64 data: URL/],
      [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, /"input_audio" is not supported/],
      [
        { messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom', custom: { name: 'c' } }] },
        /tools\[0\] is not a function tool/,
      ],
      [{ messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' }, /unsupported tool_choice/],
      [{ messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'extreme' }, /unsupported reasoning_effort/],
      [{ messages: [{ role: 'user', content: 'x' }], logprobs: true }, /logprobs/],
    ];
    for (const [request, message] of bad) expect(() => body(request), JSON.stringify(request)).toThrow(message);
  });
});
