// `streamproof import har|raw|chunks`: every input here is constructed by the test.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import { encodeFrame, readAllFrames } from '../../src/eventstream/index.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from './helpers.ts';

const sse = (events: object[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-imp',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-test',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const OPENAI_BODY = `${sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' }), chunk({ content: ' there' }, 'stop')])}data: [DONE]\n\n`;
const ANTHROPIC_EVENTS = [
  {
    type: 'message_start',
    message: {
      id: 'msg_imp',
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [],
      usage: { input_tokens: 4, output_tokens: 1 },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bonjour' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } },
  { type: 'message_stop' },
];
const ANTHROPIC_BODY = ANTHROPIC_EVENTS.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
const GEMINI_BODY =
  'data: {"candidates":[{"content":{"parts":[{"text":"Hallo"}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash"}\r\n\r\n' +
  'data: {"candidates":[{"content":{"parts":[{"text":" Welt"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5},"modelVersion":"gemini-2.5-flash"}\r\n\r\n';
const converse = (type: string, payload: object) =>
  encodeFrame({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify(payload));
const BEDROCK_BODY = Buffer.concat([
  converse('messageStart', { role: 'assistant' }),
  converse('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hej' } }),
  converse('contentBlockStop', { contentBlockIndex: 0 }),
  converse('messageStop', { stopReason: 'end_turn' }),
  converse('metadata', { usage: { inputTokens: 2, outputTokens: 1, totalTokens: 3 }, metrics: { latencyMs: 5 } }),
]);

const KEYS = ['sk-har-bearer-000001', 'har-anthropic-key-0002', 'AIzaHarQueryKey000003', 'har-cookie-value-0004'];

function har(entries: object[]): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } }, null, 2);
}

function entry(
  method: string,
  url: string,
  headers: [string, string][],
  body: string | null,
  status: number,
  mimeType: string,
  text: string,
  encoding?: string,
) {
  return {
    startedDateTime: '2025-01-01T00:00:00.000Z',
    time: 10,
    request: {
      method,
      url,
      httpVersion: 'HTTP/1.1',
      headers: headers.map(([name, value]) => ({ name, value })),
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: body?.length ?? 0,
      ...(body !== null ? { postData: { mimeType: 'application/json', text: body } } : {}),
    },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers: [{ name: 'Content-Type', value: mimeType }],
      cookies: [],
      content: { size: text.length, mimeType, text, ...(encoding ? { encoding } : {}) },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 5, receive: 5 },
  };
}

describe('streamproof import har', () => {
  it('imports each provider exchange of a HAR file, one chunk per event, keys redacted; skips the rest', async () => {
    const dir = tempDir('import-har');
    const file = join(dir, 'session.har');
    writeFileSync(
      file,
      har([
        entry('GET', 'https://example.test/index.html', [], null, 200, 'text/html', '<html></html>'),
        entry(
          'POST',
          'https://api.openai.com/v1/chat/completions',
          [
            [':authority', 'api.openai.com'],
            ['Authorization', `Bearer ${KEYS[0]}`],
            ['Cookie', `session=${KEYS[3]}`],
            ['Content-Type', 'application/json'],
          ],
          JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi?' }], stream: true }),
          200,
          'text/event-stream',
          OPENAI_BODY,
        ),
        entry(
          'POST',
          'https://api.anthropic.com/v1/messages',
          [
            ['x-api-key', KEYS[1]!],
            ['anthropic-version', '2023-06-01'],
            ['content-type', 'application/json'],
          ],
          JSON.stringify({ model: 'claude-test', max_tokens: 20, messages: [{ role: 'user', content: 'Salut' }], stream: true }),
          200,
          'text/event-stream; charset=utf-8',
          ANTHROPIC_BODY,
        ),
        entry(
          'POST',
          `https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${KEYS[2]}`,
          [['content-type', 'application/json']],
          JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hallo?' }] }] }),
          200,
          'text/event-stream',
          GEMINI_BODY,
        ),
        entry(
          'POST',
          'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/converse-stream',
          [['content-type', 'application/json']],
          JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hej?' }] }] }),
          200,
          'application/vnd.amazon.eventstream',
          BEDROCK_BODY.toString('base64'),
          'base64',
        ),
        entry(
          'POST',
          'https://llm.internal.test/v1/chat/completions',
          [],
          '{"model":"x","messages":[]}',
          200,
          'text/event-stream',
          OPENAI_BODY,
        ),
      ]),
    );
    const out = join(dir, 'fixtures');
    const r = await runCli(['import', 'har', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'skipped entry 5 (POST https://llm.internal.test/v1/chat/completions): no provider recognised from the URL (pass --provider)\n',
    );
    for (const key of KEYS) expect(r.stdout + r.stderr).not.toContain(key);
    expect(readdirSync(out).sort()).toEqual(['anthropic', 'bedrock', 'gemini', 'openai']);

    const openai = loadCassette(join(out, 'openai', 'text.yaml'));
    expect(openai.source).toMatchObject({ kind: 'recorded', boundaries: 'inferred' });
    expect(openai.response.chunks.map((c) => c.bytes.toString())).toEqual(OPENAI_BODY.split(/(?<=\n\n)/));
    expect(openai.response.chunks.every((c) => c.at === 0)).toBe(true);
    expect(openai.expect).toMatchObject({ text: 'Hi there', finishReason: 'stop', reviewed: false });
    expect(openai.upstreamRequest.headers.present).toEqual(['authorization', 'content-type']);

    const anthropic = loadCassette(join(out, 'anthropic', 'text.yaml'));
    expect(anthropic.response.chunks).toHaveLength(ANTHROPIC_EVENTS.length);
    expect(anthropic.expect).toMatchObject({ text: 'Bonjour', finishReason: 'stop' });
    expect(anthropic.upstreamRequest.headers.equals).toEqual({ 'anthropic-version': '2023-06-01' });

    const gemini = loadCassette(join(out, 'gemini', 'text.yaml'));
    expect(gemini.response.chunks.map((c) => c.bytes.toString())).toEqual(GEMINI_BODY.split(/(?<=\r\n\r\n)/));
    expect(gemini.upstreamRequest.query).toEqual({ alt: 'sse' });
    expect(gemini.request.body['model']).toBe('gemini-2.5-flash');
    expect(gemini.expect).toMatchObject({ text: 'Hallo Welt', finishReason: 'stop' });

    const bedrock = loadCassette(join(out, 'bedrock', 'text.yaml'));
    expect(bedrock.response.chunks.map((c) => readAllFrames(c.bytes).length)).toEqual([1, 1, 1, 1, 1]);
    expect(Buffer.concat(bedrock.response.chunks.map((c) => c.bytes))).toEqual(BEDROCK_BODY);
    expect(bedrock.expect).toMatchObject({ text: 'Hej', usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });

    for (const sub of readdirSync(out)) {
      for (const f of readdirSync(join(out, sub))) {
        const text = readFileSync(join(out, sub, f), 'utf8');
        for (const key of KEYS) expect(text, `${sub}/${f}`).not.toContain(key);
      }
    }
  });

  it('takes only the entries asked for, as the provider asked for', async () => {
    const dir = tempDir('import-har-entry');
    const file = join(dir, 'one.har');
    writeFileSync(
      file,
      har([
        entry(
          'POST',
          'https://llm.internal.test/v1/chat/completions',
          [],
          '{"model":"x","messages":[{"role":"user","content":"a"}],"stream":true}',
          200,
          'text/event-stream',
          OPENAI_BODY,
        ),
        entry(
          'POST',
          'https://llm.internal.test/v1/chat/completions',
          [],
          '{"model":"y","messages":[{"role":"user","content":"b"}],"stream":true}',
          200,
          'text/event-stream',
          OPENAI_BODY,
        ),
      ]),
    );
    const out = join(dir, 'fixtures');
    const r = await runCli(['import', 'har', file, '--out', out, '--provider', 'backendai', '--entry', '1', '--name', 'vllm']);
    expect(r.code).toBe(0);
    expect(readdirSync(join(out, 'backendai'))).toEqual(['vllm.yaml']);
    expect(loadCassette(join(out, 'backendai', 'vllm.yaml')).request.body['model']).toBe('y');
  });

  it('exits 2 naming the file, line and problem for input that is not a usable HAR', async () => {
    const dir = tempDir('import-har-bad');
    const out = join(dir, 'fixtures');
    const cases: [string, string, RegExp][] = [
      ['broken.har', '{\n  "log": {\n    "entries": [,]\n  }\n}\n', /broken\.har:3: not valid JSON: unexpected ","\n/],
      [
        'secret.har',
        '{"log": {"key": "sk-secret-in-broken-har-0001" oops}}',
        /secret\.har:1: not valid JSON: expected ',' or '}', found "o"\n/,
      ],
      ['nolog.har', '{\n  "entries": []\n}\n', /nolog\.har:1: not a HAR file: log: /],
    ];
    const good = entry(
      'POST',
      'https://api.openai.com/v1/chat/completions',
      [],
      '{"model":"m","messages":[]}',
      200,
      'text/event-stream',
      OPENAI_BODY,
    );
    const noStatus = JSON.parse(JSON.stringify(good)) as { response: Record<string, unknown> };
    delete noStatus.response['status'];
    const text = har([good, noStatus]);
    const statusLine =
      text
        .split('\n')
        .findIndex((l, i, all) => l.includes('"response"') && all.slice(0, i).filter((x) => x.includes('"response"')).length === 1) + 1;
    cases.push([
      'nostatus.har',
      text,
      new RegExp(`nostatus\\.har:${statusLine}: not a HAR entry: log\\.entries\\[1\\]\\.response\\.status: `),
    ]);
    const lost = JSON.parse(JSON.stringify(good)) as { response: { content: Record<string, unknown> } };
    delete lost.response.content['text'];
    const lostText = har([lost]);
    const contentLine = lostText.split('\n').findIndex((l) => l.includes('"content"')) + 1;
    cases.push([
      'lost.har',
      lostText,
      new RegExp(`lost\\.har:${contentLine}: log\\.entries\\[0\\]\\.response\\.content has no text: the capture did not keep this body`),
    ]);
    cases.push([
      'empty.har',
      har([entry('GET', 'https://example.test/', [], null, 200, 'text/html', 'x')]),
      /empty\.har: no entry to import/,
    ]);
    for (const [name, content, message] of cases) {
      writeFileSync(join(dir, name), content);
      const r = await runCli(['import', 'har', join(dir, name), '--out', out]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('streamproof import raw', () => {
  it('imports a curl -i dump (head, then SSE) with the companion request file', async () => {
    const dir = tempDir('import-raw');
    const dump = join(dir, 'hello.txt');
    writeFileSync(
      dump,
      `HTTP/1.1 100 Continue\r\n\r\nHTTP/2 200\r\ncontent-type: text/event-stream\r\nx-request-id: req_raw\r\n\r\n${OPENAI_BODY}`,
    );
    writeFileSync(
      `${dump}.request.json`,
      JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi?' }], stream: true }),
    );
    const out = join(dir, 'fixtures');
    const r = await runCli(['import', 'raw', dump, '--provider', 'openai', '--out', out]);
    expect(r.code).toBe(0);
    const c = loadCassette(join(out, 'openai', 'text.yaml'));
    expect(c.response.status).toBe(200);
    expect(c.response.headers).toEqual({ 'content-type': 'text/event-stream', 'x-request-id': 'req_raw' });
    expect(c.response.chunks).toHaveLength(4);
    expect(c.upstreamRequest).toMatchObject({ path: '/v1/chat/completions', bodyMatch: 'exact' });
    expect(c.expect.text).toBe('Hi there');
  });

  it('imports a raw event stream (Bedrock InvokeModel) with a structured request file, and an error body with --status', async () => {
    const dir = tempDir('import-raw-bin');
    const claude = [
      {
        type: 'message_start',
        message: {
          id: 'msg_b',
          type: 'message',
          role: 'assistant',
          model: 'claude',
          content: [],
          usage: { input_tokens: 3, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Ciao' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } },
      { type: 'message_stop' },
    ];
    const frames = Buffer.concat(
      claude.map((e) =>
        encodeFrame(
          { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
          JSON.stringify({ bytes: Buffer.from(JSON.stringify(e)).toString('base64') }),
        ),
      ),
    );
    const capture = join(dir, 'invoke.bin');
    writeFileSync(capture, frames);
    const request = join(dir, 'invoke-request.yaml');
    writeFileSync(
      request,
      `path: /model/anthropic.claude-test-v1%3A0/invoke-with-response-stream
headers: [authorization, x-amz-date, x-amz-content-sha256, content-type]
body:
  anthropic_version: bedrock-2023-05-31
  max_tokens: 30
  messages: [{role: user, content: Ciao?}]
`,
    );
    const out = join(dir, 'fixtures');
    const r = await runCli(['import', 'raw', capture, '--provider', 'bedrock-invoke', '--request', request, '--out', out]);
    expect(r.code).toBe(0);
    const c = loadCassette(join(out, 'bedrock-invoke', 'text.yaml'));
    expect(c.response.chunks).toHaveLength(claude.length);
    expect(c.response.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    expect(c.request.body).toMatchObject({ model: 'anthropic.claude-test-v1:0', max_tokens: 30, stream: true });
    expect(c.upstreamRequest.headers.present).toEqual(['authorization', 'x-amz-date', 'x-amz-content-sha256', 'content-type']);
    expect(c.expect).toMatchObject({ text: 'Ciao', finishReason: 'stop' });

    const error = join(dir, 'limit.json');
    writeFileSync(error, '{"error":{"message":"slow down","type":"rate_limit_error"}}');
    const anthropicRequest = join(dir, 'anthropic-request.json');
    writeFileSync(
      anthropicRequest,
      JSON.stringify({ model: 'claude-test', max_tokens: 30, messages: [{ role: 'user', content: 'Ciao?' }], stream: true }),
    );
    const r2 = await runCli([
      'import',
      'raw',
      error,
      '--provider',
      'anthropic',
      '--request',
      anthropicRequest,
      '--status',
      '429',
      '--out',
      out,
    ]);
    expect(r2.code).toBe(0);
    const e = loadCassette(join(out, 'anthropic', 'error-429.yaml'));
    expect(e.response).toMatchObject({ status: 429, headers: { 'content-type': 'application/json' } });
    expect(e.expect).toMatchObject({ status: 429, error: { message: 'slow down', type: 'rate_limit_error' } });
  });

  it('exits 2 naming the file, line and problem', async () => {
    const dir = tempDir('import-raw-bad');
    const out = join(dir, 'fixtures');
    const body = join(dir, 'req.json');
    writeFileSync(body, '{"model":"m","messages":[]}');
    const write = (name: string, content: string | Buffer) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const cases: [string[], RegExp][] = [
      [
        ['--provider', 'openai', '--request', body, write('nohead.txt', 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n')],
        /nohead\.txt:1: the HTTP head \(curl -i\) has no blank line after it/,
      ],
      [
        [
          '--provider',
          'openai',
          '--request',
          body,
          write('badheader.txt', 'HTTP/1.1 200 OK\r\ncontent-type: x\r\nno colon here\r\n\r\ndata: 1\n\n'),
        ],
        /badheader\.txt:3: not a header line: no colon here/,
      ],
      [['--provider', 'openai', write('norequest.txt', OPENAI_BODY)], /norequest\.txt: no request for this capture: pass --request FILE/],
      [
        ['--provider', 'gemini', '--request', body, write('gemini.txt', GEMINI_BODY)],
        /req\.json:1: a Google Gemini API request goes to a path that names the model/,
      ],
      [
        ['--provider', 'openai', '--request', write('broken.yaml', 'model: m\nmessages: [\n'), write('x.txt', OPENAI_BODY)],
        /broken\.yaml:\d+: invalid YAML/,
      ],
      [
        [
          '--provider',
          'bedrock',
          '--request',
          body,
          '--path',
          '/model/m/converse-stream',
          write('corrupt.bin', Buffer.concat([BEDROCK_BODY.subarray(0, 40), Buffer.alloc(8, 0xff), BEDROCK_BODY.subarray(48)])),
        ],
        /corrupt\.bin: at byte 0: event-stream framing/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['import', 'raw', ...args.slice(-1), ...args.slice(0, -1), '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('streamproof import chunks', () => {
  it("encodes JSON lines of chunks in each provider's framing", async () => {
    const dir = tempDir('import-chunks');
    const out = join(dir, 'fixtures');
    const openai = join(dir, 'openai.jsonl');
    writeFileSync(
      openai,
      `${[chunk({ role: 'assistant', content: '' }), chunk({ content: 'Yo' }, 'stop')].map((c) => JSON.stringify(c)).join('\n')}\n`,
    );
    const request = join(dir, 'openai.jsonl.request.json');
    writeFileSync(request, JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Yo?' }], stream: true }));
    const r = await runCli(['import', 'chunks', openai, '--provider', 'openai', '--out', out]);
    expect(r.code).toBe(0);
    const c = loadCassette(join(out, 'openai', 'text.yaml'));
    expect(c.response.chunks.map((ch) => ch.bytes.toString())).toEqual([
      `data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }))}\n\n`,
      `data: ${JSON.stringify(chunk({ content: 'Yo' }, 'stop'))}\n\n`,
      'data: [DONE]\n\n',
    ]);
    expect(c.expect).toMatchObject({ text: 'Yo', finishReason: 'stop' });

    const cut = await runCli(['import', 'chunks', openai, '--provider', 'openai', '--out', out, '--no-terminator']);
    expect(cut.code).toBe(0);
    const truncated = loadCassette(join(out, 'openai', 'truncated.yaml'));
    expect(truncated.response.chunks).toHaveLength(2);
    expect(truncated.expect.error).toEqual({ message: 'upstream stream ended before [DONE]', type: 'upstream_error' });

    const anthropic = join(dir, 'anthropic.jsonl');
    writeFileSync(anthropic, ANTHROPIC_EVENTS.map((e) => JSON.stringify(e)).join('\n'));
    writeFileSync(
      `${anthropic}.request.json`,
      JSON.stringify({ model: 'claude-test', max_tokens: 20, messages: [{ role: 'user', content: 'Salut' }], stream: true }),
    );
    expect((await runCli(['import', 'chunks', anthropic, '--provider', 'anthropic', '--out', out])).code).toBe(0);
    const a = loadCassette(join(out, 'anthropic', 'text.yaml'));
    expect(Buffer.concat(a.response.chunks.map((ch) => ch.bytes)).toString()).toBe(ANTHROPIC_BODY);

    const bedrock = join(dir, 'bedrock.jsonl');
    writeFileSync(
      bedrock,
      [
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hej' } } },
        { contentBlockStop: { contentBlockIndex: 0 } },
        { messageStop: { stopReason: 'end_turn' } },
        { metadata: { usage: { inputTokens: 2, outputTokens: 1, totalTokens: 3 }, metrics: { latencyMs: 5 } } },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    writeFileSync(
      join(dir, 'bedrock-request.json'),
      JSON.stringify({
        path: '/model/amazon.nova-micro-v1%3A0/converse-stream',
        body: { messages: [{ role: 'user', content: [{ text: 'Hej?' }] }] },
      }),
    );
    expect(
      (await runCli(['import', 'chunks', bedrock, '--provider', 'bedrock', '--request', join(dir, 'bedrock-request.json'), '--out', out]))
        .code,
    ).toBe(0);
    const b = loadCassette(join(out, 'bedrock', 'text.yaml'));
    expect(Buffer.concat(b.response.chunks.map((ch) => ch.bytes))).toEqual(BEDROCK_BODY);
  });

  it('exits 2 naming the file, line and problem', async () => {
    const dir = tempDir('import-chunks-bad');
    const out = join(dir, 'fixtures');
    writeFileSync(join(dir, 'req.json'), '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"stream":true}');
    const cases: [string, string, string, RegExp][] = [
      ['notjson.jsonl', 'openai', '{"id":"a","choices":[]}\n\n{"id": oops}\n', /notjson\.jsonl:3: not JSON: \{"id": oops\}/],
      ['number.jsonl', 'openai', '{"id":"a"}\n42\n', /number\.jsonl:2: a chunk must be a JSON object \(or "\[DONE\]"\), got 42/],
      [
        'untyped.jsonl',
        'anthropic',
        '{"type":"message_start","message":{}}\n{"delta":{}}\n',
        /untyped\.jsonl:2: Anthropic events need a string "type"/,
      ],
      ['done.jsonl', 'anthropic', '{"type":"message_stop"}\n"[DONE]"\n', /done\.jsonl:2: "\[DONE\]" is not part of the Anthropic stream/],
      ['two.jsonl', 'straico', '{"id":"a"}\n{"id":"b"}\n', /two\.jsonl:2: Straico answers with one JSON body: give exactly one object/],
      ['empty.jsonl', 'openai', '\n\n', /empty\.jsonl:1: no chunks: the file has no JSON lines/],
    ];
    for (const [name, provider, content, message] of cases) {
      writeFileSync(join(dir, name), content);
      const r = await runCli([
        'import',
        'chunks',
        join(dir, name),
        '--provider',
        provider,
        '--request',
        join(dir, 'req.json'),
        '--out',
        out,
      ]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on flags it cannot use', async () => {
    const cases: [string[], string][] = [
      [['import'], 'say what to import: har, raw or chunks'],
      [['import', 'pcap', 'x'], 'say what to import: har, raw or chunks (not "pcap")'],
      [['import', 'raw', 'x', '--out', 'o'], 'import raw needs --provider'],
      [
        ['import', 'har', 'x', '--out', 'o', '--status', '200'],
        '--request, --path, --status, --content-type and --no-terminator are for raw and chunks imports',
      ],
      [['import', 'chunks', 'x', '--provider', 'openai', '--out', 'o', '--entry', '1'], '--entry is for HAR imports'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
  });
});
