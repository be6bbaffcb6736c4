// OpenAI chat request → Bedrock InvokeModelWithResponseStream for Claude: the Anthropic Messages
// body (the anthropic provider's translation) with anthropic_version bedrock-2023-05-31 and no model/stream; the model in the path; the
// request SigV4-signed (verified here against the request as a server receives it).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMessagesBody } from '../../../src/providers/anthropic/messages.ts';
import { buildRequest, claudeBody } from '../../../src/providers/bedrock-invoke/request.ts';
import type { ChatRequest } from '../../../src/providers/types.ts';
import { verifySigV4 } from '../bedrock/helpers.ts';

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('claudeBody', () => {
  it('no model or stream, the Bedrock anthropic_version first, a default max_tokens, user text in the short string form', () => {
    const body = claudeBody({
      model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(JSON.stringify(body)).toBe(
      '{"anthropic_version":"bedrock-2023-05-31","max_tokens":4096,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}',
    );
  });

  it('is the Anthropic Messages translation for everything but model, stream and the version', () => {
    const requests: ChatRequest[] = [
      {
        model: 'm',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: 'Answer in French.' },
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        ],
        reasoning_effort: 'high',
        user: 'u-1',
        stream: true,
      },
      {
        model: 'm',
        messages: [{ role: 'user', content: 'Hi' }],
        max_completion_tokens: 100,
        temperature: 0.4,
        top_p: 0.9,
        stop: 'END',
        tools: [WEATHER],
        tool_choice: 'required',
        parallel_tool_calls: false,
      },
    ];
    for (const request of requests) {
      const { model: _model, stream: _stream, ...messages } = buildMessagesBody(request);
      expect(JSON.stringify(claudeBody(request))).toBe(JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', ...messages }));
    }
  });

  it('sampling settings and stop sequences', () => {
    const body = claudeBody({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 100,
      temperature: 0.4,
      top_p: 0.9,
      stop: 'END',
    });
    expect(body).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.4,
      top_p: 0.9,
      stop_sequences: ['END'],
    });
  });

  it('tool calls become tool_use blocks, tool results one user message of tool_result blocks', () => {
    const body = claudeBody({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18 °C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '24 °C' }] },
        { role: 'user', content: 'Thanks. And tomorrow?' },
      ],
      tools: [WEATHER],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(body).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 4096,
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18 °C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '24 °C' }] },
            { type: 'text', text: 'Thanks. And tomorrow?' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'Weather for a city.', input_schema: WEATHER.function.parameters }],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
    ['none', { type: 'none' }],
  ])('tool_choice %j → %j', (choice, expected) => {
    expect(
      claudeBody({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], tools: [WEATHER], tool_choice: choice })['tool_choice'],
    ).toEqual(expected);
  });

  it.each([
    [
      'an audio part',
      { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      /content part type "input_audio"/,
    ],
    ['n > 1', { messages: [{ role: 'user', content: 'Hi' }], n: 3 }, /"n" must be 1/],
    [
      'tool arguments that are not an object',
      { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] },
      /must be a JSON object/,
    ],
  ])('refuses %s with a clear error', (_what, request, message) => {
    expect(() => claudeBody({ model: 'm', ...request } as ChatRequest)).toThrow(message);
  });
});

describe('buildRequest', () => {
  let server: ReturnType<typeof createServer>;
  let base = '';
  let seen: { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer } | undefined;
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const c of req as AsyncIterable<Buffer>) parts.push(c);
      seen = { method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(parts) };
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/p/bedrock-invoke`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts to invoke-with-response-stream with the Bedrock accept header, signed for the exact URL', async () => {
    const upstream = await buildRequest(
      { model: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { baseUrl: base, headers: {}, options: { region: 'us-west-2', accessKeyId: 'AKIDSTREAMPROOFTEST', secretAccessKey: 'test-secret' } },
    );
    expect(upstream.path).toBe('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke-with-response-stream');
    expect(JSON.parse(upstream.body)).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(upstream.headers['x-amzn-bedrock-accept']).toBe('application/json');
    expect(upstream.headers['authorization']).toMatch(
      /Credential=AKIDSTREAMPROOFTEST\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amzn-bedrock-accept,/,
    );
    const res = await undiciRequest(`${base}${upstream.path}`, { method: 'POST', headers: upstream.headers, body: upstream.body });
    await res.body.text();
    expect(seen!.path).toBe('/p/bedrock-invoke/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke-with-response-stream');
    expect(verifySigV4(seen!, 'test-secret')).toBeNull();
  });
});
