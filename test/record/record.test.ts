// `streamproof record` over real loopback sockets: the replay upstream plays a constructed stream,
// a client talks to the recorder, and the cassette, the client's view and the output are checked.
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassetteBody, loadCassette } from '../../src/cassette/cassette.ts';
import { encodeFrame } from '../../src/eventstream/index.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { runCli } from '../helpers/cli.ts';
import { constructedCassette, OPENAI_TEXT_CASSETTE, OPENAI_TEXT_REQUEST, post, postReads, startRecordCommand, tempDir } from './helpers.ts';

let replay: ReplayUpstream;
const fixtures = tempDir('record-fixtures');
const text = constructedCassette(fixtures, 'text', OPENAI_TEXT_CASSETTE);

beforeAll(async () => {
  replay = await startReplayUpstream({ maxHangMs: 5_000 });
});
afterAll(async () => {
  await replay.close();
});

describe('streamproof record', () => {
  it('proxies a stream read by read and writes it as a cassette that loads to the same reads', async () => {
    replay.bind('text', { cassette: text, chunks: text.response.chunks, speed: 1 });
    const out = tempDir('record-out');
    const rec = await startRecordCommand(['--upstream', replay.baseUrl('text'), '--provider', 'openai', '--out', out, '--count', '1']);
    const client = await postReads(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST), {
      authorization: 'Bearer sk-client-key-for-the-test',
    });
    const { code, stdout, stderr } = await rec.done;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // The client got the upstream's bytes unchanged, in the upstream's reads, at the upstream's times.
    expect(client.status).toBe(200);
    expect(client.reads.map((r) => r.bytes)).toEqual(text.response.chunks.map((c) => c.bytes));
    const late = client.reads.map((r, i) => Math.abs(r.at - text.response.chunks[i]!.at));
    expect(Math.max(...late)).toBeLessThanOrEqual(150); // as in round-trip.test.ts
    const file = join(out, 'openai', 'text.yaml');
    expect(stdout).toContain(`wrote ${file}: POST /v1/chat/completions → 200, 7 reads over`);
    const recorded = loadCassette(file);
    expect(recorded.response.chunks.map((c) => c.bytes)).toEqual(text.response.chunks.map((c) => c.bytes));
    const deviations = recorded.response.chunks.map((c, i) => Math.abs(c.at - text.response.chunks[i]!.at));
    expect(Math.max(...deviations)).toBeLessThanOrEqual(150); // as in round-trip.test.ts
    expect(recorded.expect).toEqual({ ...text.expect, reviewed: false, toolCalls: [] });
    expect(recorded.source).toMatchObject({ kind: 'recorded', boundaries: 'recorded' });
    expect(recorded.request.body).toEqual(OPENAI_TEXT_REQUEST);
    expect(recorded.upstreamRequest).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      bodyMatch: 'exact',
      body: OPENAI_TEXT_REQUEST,
    });
    expect(recorded.upstreamRequest.headers.present).toEqual(['content-type', 'authorization']); // in the order sent
    expect(recorded.response.headers).toEqual({ 'content-type': 'text/event-stream', 'x-request-id': 'req_record_test' });
    const yaml = readFileSync(file, 'utf8');
    // Outside this checkout there is no fixtures/cassette.schema.json to point an editor at.
    expect(yaml).toMatch(/^# Recorded by streamproof: every chunk is one read, byte for byte\./);
    expect(yaml).toContain('reviewed: false');
  });

  it('never writes a key sent in any place, to the file or the output', async () => {
    const withCookie = constructedCassette(
      fixtures,
      'cookie',
      OPENAI_TEXT_CASSETTE.replace(
        'x-request-id: req_record_test',
        'x-request-id: req_record_test\n    set-cookie: "sid=resp-cookie-secret-7; Path=/"',
      ),
    );
    replay.bind('secrets', { cassette: withCookie, chunks: withCookie.response.chunks, speed: 0 });
    const keys = {
      bearer: 'sk-bearer-secret-0001',
      xApiKey: 'x-api-key-secret-0002',
      apiKey: 'azure-key-secret-0003',
      goog: 'goog-key-secret-0004',
      cookie: 'cookie-secret-0005',
      queryKey: 'query-key-secret-0006',
      queryApiKey: 'query-apikey-secret-0007',
      amz: 'amz-signature-secret-0008',
      bodyKey: 'body-key-secret-0009',
      nested: 'nested-password-secret-0010',
      env: 'env-token-secret-0011',
      pattern: 'customer-4711-0012',
      respCookie: 'resp-cookie-secret-7',
    };
    process.env['STREAMPROOF_TEST_RECORD_TOKEN'] = keys.env;
    const out = tempDir('record-secrets');
    try {
      const rec = await startRecordCommand([
        '--upstream',
        replay.baseUrl('secrets'),
        '--provider',
        'openai',
        '--out',
        out,
        '--count',
        '1',
        '--redact',
        'customer-\\d+-\\d+',
      ]);
      const body = {
        ...OPENAI_TEXT_REQUEST,
        api_key: keys.bodyKey,
        metadata: { who: { password: keys.nested } },
        user: keys.pattern,
        messages: [{ role: 'user', content: `Count to three. My token is ${keys.env}.` }],
      };
      // Every place a credential travels: query, headers, cookie and body.
      const sendWithKeys = (url: string) =>
        post(
          `${url}/v1/chat/completions?key=${keys.queryKey}&api_key=${keys.queryApiKey}&X-Amz-Signature=${keys.amz}`,
          JSON.stringify(body),
          {
            authorization: `Bearer ${keys.bearer}`,
            'x-api-key': keys.xApiKey,
            'api-key': keys.apiKey,
            'x-goog-api-key': keys.goog,
            cookie: `session=${keys.cookie}`,
          },
        );
      await sendWithKeys(rec.url);
      const run = await rec.done;
      // The env token sits in the prompt, which no rule redacts: the final scan refuses the cassette.
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'not written: POST /v1/chat/completions → 200: request.body.messages[0].content still holds the value of the environment variable STREAMPROOF_TEST_RECORD_TOKEN',
      );
      expect(readdirSync(out)).toEqual([]);
      for (const [what, value] of Object.entries(keys)) {
        expect(run.stdout, what).not.toContain(value);
        expect(run.stderr, what).not.toContain(value);
      }

      // Again, with the prompt redacted by a pattern: written, and no key anywhere in it.
      const rec2 = await startRecordCommand([
        '--upstream',
        replay.baseUrl('secrets'),
        '--provider',
        'openai',
        '--out',
        out,
        '--count',
        '1',
        '--redact',
        'customer-\\d+-\\d+',
        '--redact',
        'env-token-secret-\\d+',
      ]);
      await sendWithKeys(rec2.url);
      const run2 = await rec2.done;
      expect({ code: run2.code, stderr: run2.stderr }).toEqual({ code: 0, stderr: '' });
      const file = join(out, 'openai', 'text.yaml');
      const yaml = readFileSync(file, 'utf8');
      for (const [what, value] of Object.entries(keys)) {
        expect(yaml, what).not.toContain(value);
        expect(run2.stdout + run2.stderr, what).not.toContain(value);
      }
      // Nor does one reach a report or a golden of `streamproof run` on the recording.
      const scenario = join(out, 'scenario.yaml');
      writeFileSync(
        scenario,
        'kind: parity\nname: secrets\nfixtures: [openai/text.yaml]\nmodes: [normalize, passthrough]\nchunkings: {bytewise: false, random: 0}\n',
      );
      const reports = join(out, 'reports');
      const replayed = await runCli(['run', scenario, '--update-goldens', '--report-dir', reports]);
      expect(replayed.code, replayed.stdout).toBe(0);
      const written = [
        ...readdirSync(reports).map((f) => join(reports, f)),
        ...readdirSync(join(out, 'openai')).map((f) => join(out, 'openai', f)),
      ];
      expect(written.length).toBeGreaterThanOrEqual(6);
      for (const f of written)
        for (const [what, value] of Object.entries(keys)) expect(readFileSync(f, 'utf8'), `${f}: ${what}`).not.toContain(value);
      for (const [what, value] of Object.entries(keys)) expect(replayed.stdout + replayed.stderr, what).not.toContain(value);
      const c = loadCassette(file);
      // Names are kept, values are not.
      expect(c.response.headers['set-cookie']).toBe('<redacted>');
      expect(c.upstreamRequest.query).toEqual({});
      expect(c.upstreamRequest.body).toMatchObject({
        api_key: '<redacted>',
        metadata: { who: { password: '<redacted>' } },
        user: '<redacted>',
      });
      expect(yaml).toContain('# note: query parameter key (a credential) is not kept');
    } finally {
      delete process.env['STREAMPROOF_TEST_RECORD_TOKEN'];
    }
  });

  it('refuses a cassette whose response echoes the key, naming the field', async () => {
    const echo = constructedCassette(
      fixtures,
      'echo',
      `provider: openai
description: an upstream that echoes the caller's key in its error
source: {kind: constructed, format: an OpenAI error body}
request: {body: {model: gpt-test, messages: [{role: user, content: hi}], stream: true}}
upstreamRequest: {path: /v1/chat/completions}
response:
  status: 401
  headers: {content-type: application/json}
  chunks:
    - {at: 0, text: '{"error":{"message":"Incorrect API key provided: key-echoed-back-1234.","type":"invalid_request_error","code":"invalid_api_key"}}'}
expect: {status: 401, error: {message: x}}
`,
    );
    replay.bind('echo', { cassette: echo, chunks: echo.response.chunks, speed: 0 });
    const out = tempDir('record-echo');
    const rec = await startRecordCommand(['--upstream', replay.baseUrl('echo'), '--provider', 'openai', '--out', out, '--count', '1']);
    const client = await post(`${rec.url}/v1/chat/completions`, '{"model":"gpt-test","messages":[],"stream":true}', {
      'x-api-key': 'key-echoed-back-1234',
    });
    expect(client.status).toBe(401);
    const run = await rec.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'not written: POST /v1/chat/completions → 401: response.chunks[0].text still holds the value of the request header x-api-key; add a --redact pattern for it (nothing was written)\n',
    );
    expect(existsSync(join(out, 'openai'))).toBe(false);
  });

  it('records an error status, a reset and a hang cut by the idle timeout, named for what they exercise', async () => {
    const out = tempDir('record-endings');
    replay.choose('endings', () => ({ cassette: text, chunks: text.response.chunks, speed: 0 }));
    const rec = await startRecordCommand([
      '--upstream',
      replay.baseUrl('endings'),
      '--provider',
      'openai',
      '--out',
      out,
      '--count',
      '4',
      '--idle-timeout',
      '300ms',
    ]);
    const send = () => post(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    void replay.arm('endings', {
      cassette: text,
      chunks: text.response.chunks,
      speed: 0,
      fault: { fault: 'status', status: 429, retryAfter: 2 },
    });
    const limited = await send();
    void replay.arm('endings', {
      cassette: text,
      chunks: text.response.chunks,
      speed: 0,
      fault: { fault: 'reset-mid-stream', afterChunk: 2 },
    });
    const reset = await send();
    void replay.arm('endings', {
      cassette: text,
      chunks: text.response.chunks,
      speed: 0,
      fault: { fault: 'hang-mid-stream', afterChunk: 2 },
    });
    const started = performance.now();
    const hung = await send();
    const hangMs = performance.now() - started;
    const plain = await send();
    const run = await rec.done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(reset.error).toBeDefined();
    expect(hung.error).toBeDefined();
    expect(hangMs).toBeGreaterThanOrEqual(290);
    expect(hangMs).toBeLessThan(3_000);
    expect(plain.body).toEqual(cassetteBody(text));
    expect(readdirSync(join(out, 'openai')).sort()).toEqual(['error-429.yaml', 'hang.yaml', 'reset.yaml', 'text.yaml']);
    const e429 = loadCassette(join(out, 'openai', 'error-429.yaml'));
    expect(e429.response).toMatchObject({ status: 429, end: 'end', headers: { 'retry-after': '2', 'content-type': 'application/json' } });
    expect(e429.expect).toMatchObject({
      status: 429,
      error: { message: 'Rate limit reached for requests. Please try again shortly.', type: 'requests' },
    });
    const resetCassette = loadCassette(join(out, 'openai', 'reset.yaml'));
    expect(resetCassette.response.end).toBe('reset');
    expect(Buffer.concat(resetCassette.response.chunks.map((c) => c.bytes))).toEqual(
      Buffer.concat(text.response.chunks.slice(0, resetCassette.response.chunks.length).map((c) => c.bytes)),
    );
    expect(resetCassette.expect.error).toEqual({});
    const hang = loadCassette(join(out, 'openai', 'hang.yaml'));
    expect(hang.response.end).toBe('hang');
    expect(hang.response.chunks.map((c) => c.bytes)).toEqual(text.response.chunks.slice(0, 2).map((c) => c.bytes));

    // The error status and the reset replay through `streamproof run` in both modes. (A hang would
    // wait for the reference gateway's idle timeout, 120 s: fault scenarios set shorter ones.)
    const scenario = join(out, 'endings.yaml');
    writeFileSync(
      scenario,
      'kind: parity\nname: endings\nfixtures: [openai/error-429.yaml, openai/reset.yaml]\nmodes: [normalize, passthrough]\nchunkings: {bytewise: false, random: 0}\n',
    );
    const update = await runCli(['run', scenario, '--update-goldens', '--report-dir', join(out, 'reports-update')]);
    expect(update.code, update.stdout).toBe(0);
    const check = await runCli(['run', scenario, '--report-dir', join(out, 'reports')]);
    expect(check.code, check.stdout).toBe(0);
    expect(readFileSync(join(out, 'openai', 'error-429.normalize.sse'), 'utf8')).toBe(
      '{"error":{"message":"Rate limit reached for requests. Please try again shortly.","type":"requests","param":null,"code":"rate_limit_exceeded"}}',
    );
  });

  it('records binary event streams (Bedrock) byte for byte, re-signing SigV4 for the upstream with --aws-resign', async () => {
    const headers = { ':event-type': 'messageStart', ':content-type': 'application/json', ':message-type': 'event' };
    const frames = [
      encodeFrame(headers, '{"role":"assistant"}'),
      encodeFrame({ ...headers, ':event-type': 'contentBlockDelta' }, '{"contentBlockIndex":0,"delta":{"text":"Olá"}}'),
      encodeFrame({ ...headers, ':event-type': 'messageStop' }, '{"stopReason":"end_turn"}'),
      encodeFrame(
        { ...headers, ':event-type': 'metadata' },
        '{"usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4},"metrics":{"latencyMs":9}}',
      ),
    ];
    const body = Buffer.concat(frames);
    const cut = frames[0]!.length + 30; // inside the second frame, inside "Olá"'s frame headers
    const bedrockDir = join(fixtures, 'bedrock');
    mkdirSync(bedrockDir, { recursive: true });
    const cassette = constructedCassette(
      bedrockDir,
      'frames',
      `provider: bedrock
description: constructed event-stream frames
source: {kind: constructed, format: ConverseStream frames}
request: {body: {model: amazon.nova-micro-v1:0, messages: [{role: user, content: hi}], stream: true, stream_options: {include_usage: true}}}
upstreamRequest: {path: /model/amazon.nova-micro-v1%3A0/converse-stream}
response:
  headers: {content-type: application/vnd.amazon.eventstream}
  chunks:
    - {at: 0, base64: ${body.subarray(0, cut).toString('base64')}}
    - {at: 20, base64: ${body.subarray(cut).toString('base64')}}
expect: {text: Olá, finishReason: stop}
`,
    );
    const exchange = replay.arm('bedrock', { cassette, chunks: cassette.response.chunks, speed: 1 });
    const out = tempDir('record-bedrock');
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDRESIGNTEST000001';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'resign-secret-access-key-000001';
    try {
      const rec = await startRecordCommand([
        '--upstream',
        replay.baseUrl('bedrock'),
        '--provider',
        'bedrock',
        '--out',
        out,
        '--count',
        '1',
        '--aws-resign',
      ]);
      const { getProvider } = await import('../../src/providers/index.ts');
      const bedrock = getProvider('bedrock')!;
      const route = {
        baseUrl: rec.url,
        headers: {},
        options: { region: 'us-east-1', accessKeyId: 'AKIDCLIENTSIDE000002', secretAccessKey: 'client-side-secret-000002' },
      };
      const up = await bedrock.buildRequest(cassette.request.body as never, route);
      const client = await post(`${rec.url}${up.path}`, up.body, up.headers);
      const run = await rec.done;
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(client.body).toEqual(body);
      const observed = (await exchange).request;
      expect(String(observed.headers['authorization'])).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDRESIGNTEST000001\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
      );
      const file = join(out, 'bedrock', 'text.yaml');
      const recorded = loadCassette(file);
      expect(recorded.response.chunks.map((c) => c.bytes)).toEqual([body.subarray(0, cut), body.subarray(cut)]);
      expect(recorded.expect).toMatchObject({
        text: 'Olá',
        finishReason: 'stop',
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      });
      expect(recorded.upstreamRequest.path).toBe('/model/amazon.nova-micro-v1%3A0/converse-stream');
      expect(recorded.upstreamRequest.headers.present).toEqual(
        expect.arrayContaining(['authorization', 'x-amz-date', 'x-amz-content-sha256']),
      );
      const yaml = readFileSync(file, 'utf8');
      for (const secret of ['AKIDRESIGNTEST000001', 'resign-secret-access-key-000001', 'AKIDCLIENTSIDE000002'])
        expect(yaml).not.toContain(secret);
    } finally {
      delete process.env['AWS_ACCESS_KEY_ID'];
      delete process.env['AWS_SECRET_ACCESS_KEY'];
    }
  });

  it('never overwrites: a derived name takes the next suffix, a taken --name is refused before listening, --force overwrites', async () => {
    const out = tempDir('record-names');
    mkdirSync(join(out, 'openai'), { recursive: true });
    writeFileSync(join(out, 'openai', 'text.yaml'), 'mine\n');
    replay.bind('names', { cassette: text, chunks: text.response.chunks, speed: 0 });
    const rec = await startRecordCommand(['--upstream', replay.baseUrl('names'), '--provider', 'openai', '--out', out, '--count', '2']);
    await post(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    await post(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    expect((await rec.done).code).toBe(0);
    expect(readdirSync(join(out, 'openai')).sort()).toEqual(['text-2.yaml', 'text-3.yaml', 'text.yaml']);
    expect(readFileSync(join(out, 'openai', 'text.yaml'), 'utf8')).toBe('mine\n');

    const taken = await runCli(['record', '--upstream', replay.baseUrl('names'), '--provider', 'openai', '--out', out, '--name', 'text']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(`${join(out, 'openai', 'text.yaml')} exists: pass --force to overwrite it, or another --name`);

    const forced = await startRecordCommand([
      '--upstream',
      replay.baseUrl('names'),
      '--provider',
      'openai',
      '--out',
      out,
      '--count',
      '1',
      '--name',
      'text',
      '--force',
    ]);
    await post(`${forced.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    expect((await forced.done).code).toBe(0);
    expect(readFileSync(join(out, 'openai', 'text.yaml'), 'utf8')).toContain('reviewed: false');
  });

  it('proxies an exchange over --max-bytes without recording it, and says so', async () => {
    replay.bind('big', { cassette: text, chunks: text.response.chunks, speed: 0 });
    const out = tempDir('record-big');
    const rec = await startRecordCommand([
      '--upstream',
      replay.baseUrl('big'),
      '--provider',
      'openai',
      '--out',
      out,
      '--count',
      '1',
      '--max-bytes',
      '512',
    ]);
    const client = await post(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    const run = await rec.done;
    expect(client.body).toEqual(cassetteBody(text));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('not recorded: POST /v1/chat/completions: the exchange is over 512 bytes: it was proxied, not recorded\n');
    expect(existsSync(join(out, 'openai'))).toBe(false);
  });

  it('answers 503 past --max-concurrent exchanges, and says the second was not recorded', async () => {
    // The first exchange hangs after two reads, so it is surely still open when the second arrives.
    void replay.arm('busy', { cassette: text, chunks: text.response.chunks, speed: 0, fault: { fault: 'hang-mid-stream', afterChunk: 2 } });
    const out = tempDir('record-busy');
    const rec = await startRecordCommand([
      '--upstream',
      replay.baseUrl('busy'),
      '--provider',
      'openai',
      '--out',
      out,
      '--count',
      '2',
      '--max-concurrent',
      '1',
      '--idle-timeout',
      '500ms',
    ]);
    const first = post(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    for (let i = 0; i < 500 && replay.served('busy') === 0; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    const second = await post(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    expect(second.status).toBe(503);
    expect((await first).error).toBeDefined();
    const run = await rec.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('not recorded: POST /v1/chat/completions: more than 1 exchanges at once (answered 503)\n');
    expect(readdirSync(join(out, 'openai'))).toEqual(['hang.yaml']);
  });

  it('answers 502 when the upstream cannot be reached, and records nothing', async () => {
    const out = tempDir('record-down');
    const rec = await startRecordCommand(['--upstream', 'http://127.0.0.1:9', '--provider', 'openai', '--out', out, '--count', '1']);
    const client = await post(`${rec.url}/v1/chat/completions`, '{}');
    const run = await rec.done;
    expect(client.status).toBe(502);
    expect(JSON.parse(client.body.toString())).toEqual({
      error: { message: 'streamproof record: upstream request failed: ECONNREFUSED', type: 'streamproof_record_error', code: null },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('not recorded: POST /v1/chat/completions: the upstream request failed (ECONNREFUSED); answered 502\n');
  });

  it('proxies requests that are not model calls without recording or counting them', async () => {
    const out = tempDir('record-get');
    replay.bind('get', { cassette: text, chunks: text.response.chunks, speed: 0 });
    const rec = await startRecordCommand(['--upstream', replay.baseUrl('get'), '--provider', 'openai', '--out', out, '--count', '1']);
    const { request } = await import('undici');
    const models = await request(`${rec.url}/v1/models`);
    expect(models.statusCode).toBe(200);
    expect(Buffer.from(await models.body.arrayBuffer())).toEqual(cassetteBody(text));
    await post(`${rec.url}/v1/chat/completions`, JSON.stringify(OPENAI_TEXT_REQUEST));
    const run = await rec.done;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('not recorded: GET /v1/models: only POST exchanges (model calls) are recorded; this one was proxied\n');
    expect(readdirSync(join(out, 'openai'))).toEqual(['text.yaml']);
  });

  it('cuts the upstream when the client leaves, and records nothing', async () => {
    const out = tempDir('record-left');
    const exchange = replay.arm('left', { cassette: text, chunks: text.response.chunks, speed: 1 });
    const rec = await startRecordCommand(['--upstream', replay.baseUrl('left'), '--provider', 'openai', '--out', out, '--count', '1']);
    const { sendExchange } = await import('../../src/client/exchange.ts');
    const client = await sendExchange(`${rec.url}/v1/chat/completions`, OPENAI_TEXT_REQUEST, { abortAfterEvents: 1 });
    expect(client.aborted).toBe(true);
    const run = await rec.done;
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'not recorded: POST /v1/chat/completions: the client left before the end of the response (the upstream request was cut too)\n',
    );
    expect((await exchange).completed).toBe(false);
    expect(existsSync(join(out, 'openai'))).toBe(false);
  });

  it('exits 2 on flags it cannot use', async () => {
    const cases: [string[], string][] = [
      [['--provider', 'openai', '--out', 'x'], '--upstream is required'],
      [['--upstream', 'http://127.0.0.1:1', '--provider', 'nope', '--out', 'x'], '--provider "nope" is not one of openai,'],
      [['--upstream', 'ftp://x', '--provider', 'openai', '--out', 'x'], '--upstream must be http(s), got ftp:'],
      [
        ['--upstream', 'http://127.0.0.1:1/?key=1', '--provider', 'openai', '--out', 'x'],
        '--upstream must not carry credentials or a query',
      ],
      [
        ['--upstream', 'http://127.0.0.1:1', '--provider', 'openai', '--out', 'x', '--redact', '('],
        '--redact "(" is not a valid regular expression',
      ],
      [
        ['--upstream', 'http://127.0.0.1:1', '--provider', 'openai', '--out', 'x', '--max-bytes', 'lots'],
        '--max-bytes must be a size like',
      ],
      [
        ['--upstream', 'http://127.0.0.1:1', '--provider', 'openai', '--out', 'x', '--idle-timeout', 'soon'],
        '--idle-timeout must be a duration',
      ],
      [
        ['--upstream', 'http://127.0.0.1:1', '--provider', 'openai', '--out', 'x', '--name', '../up'],
        '--name "../up": use letters, digits',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['record', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stderr).toContain('usage: streamproof record');
    }
  });
});
