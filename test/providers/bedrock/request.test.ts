// OpenAI chat request → Bedrock ConverseStream: exact native bodies for representative requests,
// clear errors for what Converse cannot express, and SigV4 signatures that verify against the
// request a server actually receives (checked by an implementation written from the AWS spec,
// itself checked against the AWS SDK's own signed request).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequest, converseBody } from '../../../src/providers/bedrock/request.ts';
import type { ChatRequest, ProviderRoute } from '../../../src/providers/types.ts';
import { verifySigV4 } from './helpers.ts';

const SECRET = 'streamproof-test-secret';
const route = (baseUrl: string, options: Record<string, string> = {}): ProviderRoute => ({
  baseUrl,
  headers: {},
  options: { region: 'us-east-1', accessKeyId: 'AKIDSTREAMPROOFTEST', secretAccessKey: SECRET, ...options },
});

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('converseBody', () => {
  it('system and developer messages become system blocks; sampling settings go in inferenceConfig', () => {
    const body = converseBody({
      model: 'amazon.nova-micro-v1:0',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'text', text: 'there' },
          ],
        },
      ],
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: 0.3,
      top_p: 0.8,
      stop: ['END', 'STOP'],
      stream: true,
      stream_options: { include_usage: true },
      user: 'u-1',
    });
    expect(body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hi' }, { text: 'there' }] }],
      system: [{ text: 'Be brief.' }, { text: 'Answer in French.' }],
      inferenceConfig: { maxTokens: 20, temperature: 0.3, topP: 0.8, stopSequences: ['END', 'STOP'] },
    });
  });

  it('leaves out inferenceConfig and system when there is nothing to say; a stop string becomes a list', () => {
    expect(converseBody({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] })).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    });
    expect(converseBody({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stop: 'END' })['inferenceConfig']).toEqual({
      stopSequences: ['END'],
    });
  });

  it('assistant tool calls become toolUse blocks, tool results one user message of toolResult blocks', () => {
    const body = converseBody({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18 °C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24 °C' }] },
        { role: 'user', content: 'And tomorrow?' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Well?' },
      ],
      tools: [WEATHER],
    });
    expect(body).toEqual({
      messages: [
        { role: 'user', content: [{ text: 'Weather in Paris and Rome?' }] },
        {
          role: 'assistant',
          content: [
            { text: 'Checking.' },
            { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } },
            { toolUse: { toolUseId: 'call_2', name: 'get_weather', input: { city: 'Rome' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'call_1', content: [{ text: '18 °C' }] } },
            { toolResult: { toolUseId: 'call_2', content: [{ text: '24 °C' }] } },
            { text: 'And tomorrow?' },
            { text: 'Well?' },
          ],
        },
      ],
      toolConfig: {
        tools: [
          { toolSpec: { name: 'get_weather', description: 'Weather for a city.', inputSchema: { json: WEATHER.function.parameters } } },
        ],
      },
    });
  });

  it.each([
    ['auto', { auto: {} }],
    ['required', { any: {} }],
    [{ type: 'function', function: { name: 'get_weather' } }, { tool: { name: 'get_weather' } }],
  ])('tool_choice %j → toolChoice %j', (choice, toolChoice) => {
    const body = converseBody({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], tools: [WEATHER], tool_choice: choice });
    expect((body['toolConfig'] as Record<string, unknown>)['toolChoice']).toEqual(toolChoice);
  });

  it('tool_choice none leaves the tools out, and is refused once the conversation holds tool calls', () => {
    expect(
      converseBody({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], tools: [WEATHER], tool_choice: 'none' })['toolConfig'],
    ).toBeUndefined();
    const withHistory: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 'ok' },
      ],
      tools: [WEATHER],
      tool_choice: 'none',
    };
    expect(() => converseBody(withHistory)).toThrow(/tool_choice "none" cannot be expressed/);
  });

  it('a tool without parameters gets an empty object schema', () => {
    const body = converseBody({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ type: 'function', function: { name: 'now' } }],
    });
    expect(body['toolConfig']).toEqual({
      tools: [{ toolSpec: { name: 'now', inputSchema: { json: { type: 'object', properties: {} } } } }],
    });
  });

  it.each([
    [
      'an image part',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] },
      /content part type "image_url" is not supported/,
    ],
    ['n > 1', { messages: [{ role: 'user', content: 'Hi' }], n: 2 }, /n > 1 is not supported/],
    [
      'json response_format',
      { messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'json_object' } },
      /response_format "json_object"/,
    ],
    [
      'tool arguments that are not JSON',
      { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] },
      /arguments is not valid JSON/,
    ],
    ['a function-role message', { messages: [{ role: 'function', name: 'f', content: 'x' }] }, /role "function" is not supported/],
    ['an empty user message', { messages: [{ role: 'user', content: '' }] }, /has no text/],
    ['no messages', { messages: [] }, /non-empty array/],
    ['a tool result without tool_call_id', { messages: [{ role: 'tool', content: 'x' }] }, /needs a string tool_call_id/],
  ])('refuses %s with a clear error', (_what, request, message) => {
    expect(() => converseBody({ model: 'm', ...request } as ChatRequest)).toThrow(message);
  });
});

describe('buildRequest signing', () => {
  let server: ReturnType<typeof createServer>;
  let base = '';
  const received: { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const c of req as AsyncIterable<Buffer>) parts.push(c);
      received.push({ method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(parts) });
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"test server"}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(baseUrl: string, options: Record<string, string> = {}, routeHeaders: Record<string, string> = {}) {
    const upstream = await buildRequest(
      { model: 'amazon.nova-micro-v1:0', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { ...route(baseUrl, options), headers: routeHeaders },
    );
    received.length = 0;
    const res = await undiciRequest(`${baseUrl}${upstream.path}`, {
      method: upstream.method,
      headers: upstream.headers,
      body: upstream.body,
    });
    await res.body.text();
    return { upstream, seen: received[0]! };
  }

  it("the verifier used here accepts the AWS SDK's own signed request", async () => {
    received.length = 0;
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `${base}/p/bedrock`,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    await expect(
      client.send(
        new ConverseStreamCommand({ modelId: 'amazon.nova-micro-v1:0', messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }),
      ),
    ).rejects.toThrow();
    client.destroy();
    expect(received[0]!.path).toBe('/p/bedrock/model/amazon.nova-micro-v1%3A0/converse-stream');
    expect(verifySigV4(received[0]!, SECRET)).toBeNull();
    expect(verifySigV4(received[0]!, 'another-secret')).toBe('signature does not verify');
  });

  it('signs the exact host:port and path prefix the request goes to, and it verifies there', async () => {
    const { upstream, seen } = await send(`${base}/p/bedrock`);
    expect(upstream.path).toBe('/model/amazon.nova-micro-v1%3A0/converse-stream');
    expect(seen.path).toBe('/p/bedrock/model/amazon.nova-micro-v1%3A0/converse-stream');
    expect(Object.keys(upstream.headers).sort()).toEqual(['authorization', 'content-type', 'host', 'x-amz-content-sha256', 'x-amz-date']);
    expect(upstream.headers['host']).toBe(base.slice('http://'.length));
    expect(upstream.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDSTREAMPROOFTEST\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(verifySigV4(seen, SECRET)).toBeNull();
  });

  it('signs a session token and extra route headers too', async () => {
    const { upstream, seen } = await send(`${base}/p/bedrock`, { sessionToken: 'session-token-test' }, { 'X-Trace-Id': 'abc' });
    expect(upstream.headers['x-amz-security-token']).toBe('session-token-test');
    expect(upstream.headers['authorization']).toContain(
      'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-trace-id,',
    );
    expect(verifySigV4(seen, SECRET)).toBeNull();
  });

  it('takes the region from a bedrock-runtime host when options.region is not set', async () => {
    const upstream = await buildRequest(
      { model: 'm', messages: [{ role: 'user', content: 'Hi' }] },
      {
        baseUrl: 'https://bedrock-runtime.eu-west-3.amazonaws.com',
        headers: {},
        options: { accessKeyId: 'AKIDSTREAMPROOFTEST', secretAccessKey: SECRET },
      },
    );
    expect(upstream.headers['authorization']).toMatch(/\/eu-west-3\/bedrock\/aws4_request/);
    expect(upstream.headers['host']).toBe('bedrock-runtime.eu-west-3.amazonaws.com');
  });

  it('sends a Bedrock API key as a bearer token when no AWS keys are configured', async () => {
    const upstream = await buildRequest(
      { model: 'm', messages: [{ role: 'user', content: 'Hi' }] },
      { baseUrl: base, headers: {}, options: {}, apiKey: 'bedrock-api-key-test' },
    );
    expect(upstream.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer bedrock-api-key-test' });
  });

  it('says what is missing when it cannot authenticate', async () => {
    await expect(
      buildRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }, { baseUrl: base, headers: {}, options: {} }),
    ).rejects.toThrow(/needs options.accessKeyId and options.secretAccessKey/);
    await expect(
      buildRequest(
        { model: 'm', messages: [{ role: 'user', content: 'Hi' }] },
        { baseUrl: base, headers: {}, options: { accessKeyId: 'AKIDSTREAMPROOFTEST', secretAccessKey: SECRET } },
      ),
    ).rejects.toThrow(/needs options.region/);
  });
});
