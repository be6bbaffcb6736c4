// Redaction rules, the body rewrite that keeps read boundaries, and the final secret scan.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.ts';
import { encodeFrame, readAllFrames } from '../../src/eventstream/index.ts';
import { redactReads } from '../../src/record/body-rewrite.ts';
import { compileRedactPatterns, isSecretHeader, isSecretQueryParam, REDACTED, redactJson, redactText } from '../../src/record/redact.ts';
import { collectEnvSecrets, collectHeaderSecrets, findSecretInCassette, SecretSet } from '../../src/record/secrets.ts';

const read = (text: string | Buffer, at = 0) => ({ bytes: Buffer.isBuffer(text) ? text : Buffer.from(text), at });

describe('redaction rules', () => {
  it('knows credential headers by name, and leaves the rest', () => {
    for (const name of [
      'authorization',
      'x-api-key',
      'api-key',
      'x-goog-api-key',
      'cookie',
      'set-cookie',
      'x-amz-security-token',
      'helicone-auth',
      'openai-api-key',
      'x-auth-token',
    ])
      expect(isSecretHeader(name), name).toBe(true);
    for (const name of [
      'content-type',
      'anthropic-version',
      'x-request-id',
      'x-ratelimit-remaining-tokens',
      'x-amz-date',
      'x-amz-content-sha256',
    ])
      expect(isSecretHeader(name), name).toBe(false);
  });

  it('knows credential query parameters: key, api_key, every X-Amz-*', () => {
    for (const name of ['key', 'api_key', 'apikey', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Date', 'access_token'])
      expect(isSecretQueryParam(name), name).toBe(true);
    for (const name of ['alt', 'api-version', 'model']) expect(isSecretQueryParam(name), name).toBe(false);
  });

  it('replaces secret-named JSON fields at any depth, and only those', () => {
    const body = {
      model: 'm',
      max_tokens: 10,
      api_key: 'sk-one',
      metadata: { nested: [{ password: 'hunter22', accessToken: 'tok', apiKey: 'k' }], user_id: 'u1' },
      usage: { prompt_tokens: 1, total_tokens: 2 },
      token: 'bare',
      credentials: { anything: 1 },
    };
    expect(redactJson(body, [])).toEqual({
      model: 'm',
      max_tokens: 10,
      api_key: REDACTED,
      metadata: { nested: [{ password: REDACTED, accessToken: REDACTED, apiKey: REDACTED }], user_id: 'u1' },
      usage: { prompt_tokens: 1, total_tokens: 2 },
      token: REDACTED,
      credentials: REDACTED,
    });
  });

  it('redacts key formats, bearer tokens, secret fields in text and user patterns; leaves logprob tokens', () => {
    const text =
      'key sk-proj-abcdefghijklmnopqrstuvwx and AKIAABCDEFGHIJKLMNOP, AIza' +
      'B'.repeat(35) +
      ' "Authorization: Bearer abcdefghijklmnopqrstuvwxyz" {"api_key":"plain-value","token":"Hello"} order 4711-22';
    const out = redactText(text, compileRedactPatterns(['order \\d+-\\d+']));
    expect(out).toBe(
      `key ${REDACTED} and ${REDACTED}, ${REDACTED} "Authorization: Bearer ${REDACTED}" {"api_key":"${REDACTED}","token":"Hello"} ${REDACTED}`,
    );
  });

  it('refuses a --redact pattern that does not compile or matches nothing at all', () => {
    expect(() => compileRedactPatterns(['('])).toThrow(UsageError);
    expect(() => compileRedactPatterns(['x*'])).toThrow(/matches the empty string/);
  });
});

describe('redacting reads', () => {
  it('finds a secret cut across two reads and keeps the reads around it', () => {
    const reads = [read('data: {"a":"sk-proj-abcdefghij', 0), read('klmnopqrstuv"}\n\n', 5), read('data: [DONE]\n\n', 9)];
    const out = redactReads(reads, false, []);
    expect(out.changed).toBe(true);
    expect(out.reads.map((r) => [r.bytes.toString(), r.at])).toEqual([
      [`data: {"a":"${REDACTED}`, 0],
      ['"}\n\n', 5],
      ['data: [DONE]\n\n', 9],
    ]);
  });

  it('keeps reads that end inside a UTF-8 character', () => {
    const body = Buffer.from('data: {"t":"héllo sk-ant-api03-abcdefghijklmnopqrstu"}\n\n');
    const cut = body.indexOf(0xc3) + 1; // inside the é
    const out = redactReads([read(body.subarray(0, cut)), read(body.subarray(cut), 3)], false, []);
    expect(out.reads[0]!.bytes).toEqual(body.subarray(0, cut));
    expect(Buffer.concat(out.reads.map((r) => r.bytes)).toString()).toBe(`data: {"t":"héllo ${REDACTED}"}\n\n`);
  });

  it('leaves a body without secrets alone', () => {
    const reads = [read('data: {"x":1}\n\n'), read('data: [DONE]\n\n', 1)];
    expect(redactReads(reads, false, []).changed).toBe(false);
  });

  it('rewrites event-stream frames (payloads and base64 Claude events) into valid frames, boundaries inside frames kept', () => {
    const headers = { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' };
    const inner = Buffer.from(JSON.stringify({ type: 'content_block_delta', delta: { text: 'my key is AKIAABCDEFGHIJKLMNOP' } })).toString(
      'base64',
    );
    const frames = [
      encodeFrame(headers, JSON.stringify({ bytes: inner, p: 'abc' })),
      encodeFrame({ ...headers, ':event-type': 'other' }, JSON.stringify({ password: 'not-for-disk', n: 1 })),
      encodeFrame(headers, JSON.stringify({ bytes: Buffer.from('{"type":"message_stop"}').toString('base64') })),
    ];
    const body = Buffer.concat(frames);
    const cut1 = 7; // inside the first prelude
    const cut2 = frames[0]!.length + frames[1]!.length + 20; // inside the third frame's headers
    const out = redactReads([read(body.subarray(0, cut1)), read(body.subarray(cut1, cut2), 4), read(body.subarray(cut2), 8)], true, []);
    expect(out.changed).toBe(true);
    expect(out.reads).toHaveLength(3);
    expect(out.reads[0]!.bytes.length).toBe(cut1);
    const rewritten = Buffer.concat(out.reads.map((r) => r.bytes));
    const decoded = readAllFrames(rewritten);
    expect(decoded).toHaveLength(3);
    const first = JSON.parse(decoded[0]!.payload.toString()) as { bytes: string };
    expect(Buffer.from(first.bytes, 'base64').toString()).toContain(`my key is ${REDACTED}`);
    expect(JSON.parse(decoded[1]!.payload.toString())).toEqual({ password: REDACTED, n: 1 });
    expect(decoded[2]!.payload).toEqual(readAllFrames(frames[2]!)[0]!.payload);
    // The third frame is untouched, and the last read still starts 20 bytes into it.
    expect(out.reads[2]!.bytes).toEqual(frames[2]!.subarray(20));
  });
});

describe('secrets and the final scan', () => {
  it('collects the token of a scheme, SigV4 key id and signature, cookie values; ignores short values', () => {
    const s = new SecretSet();
    collectHeaderSecrets(
      s,
      [
        ['authorization', 'Bearer sk-streamproof-live-1234'],
        ['x-amz-security-token', 'short'],
        ['cookie', 'session=abcdef123456; theme=dark'],
        [
          'x-api-key',
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE00/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=0123456789abcdef',
        ],
      ],
      'request',
    );
    const values = s.values().map((v) => v.value);
    expect(values).toContain('sk-streamproof-live-1234');
    expect(values).toContain('abcdef123456');
    expect(values).toContain('AKIDEXAMPLE00');
    expect(values).toContain('0123456789abcdef');
    expect(values).not.toContain('short');
    expect(values).not.toContain('dark');
  });

  it('takes environment variables named like secrets, not the others', () => {
    const s = new SecretSet();
    collectEnvSecrets(s, {
      OPENAI_API_KEY: 'sk-env-value-123',
      GH_TOKEN: 'ghp_tokenvalue',
      HOME: '/home/someone-long',
      DB_PASSWORD: 'pw-123456789',
    });
    expect(s.values()).toEqual([
      { value: 'sk-env-value-123', origin: 'environment variable OPENAI_API_KEY' },
      { value: 'ghp_tokenvalue', origin: 'environment variable GH_TOKEN' },
      { value: 'pw-123456789', origin: 'environment variable DB_PASSWORD' },
    ]);
  });

  const secrets = new SecretSet();
  secrets.add('secret-value-42', 'request header x-api-key');
  const cassette = (chunks: object[], extra: object = {}) => ({ provider: 'openai', description: 'd', response: { chunks }, ...extra });

  it('finds a secret in a text chunk, a base64 chunk, across reads and inside event-stream payloads, naming the field', () => {
    expect(findSecretInCassette(cassette([{ text: 'a' }, { text: 'x secret-value-42' }]), '', secrets)).toEqual({
      field: 'response.chunks[1].text',
      origin: 'request header x-api-key',
    });
    expect(findSecretInCassette(cassette([{ base64: Buffer.from('secret-value-42').toString('base64') }]), '', secrets)?.field).toBe(
      'response.chunks[0].base64',
    );
    expect(findSecretInCassette(cassette([{ text: 'one secret-va' }, { text: 'lue-42 two' }]), '', secrets)?.field).toBe(
      'response.chunks (the value is cut across reads 0..1)',
    );
    const frame = encodeFrame(
      { ':event-type': 'chunk' },
      JSON.stringify({ bytes: Buffer.from('{"t":"secret-value-42"}').toString('base64') }),
    );
    expect(findSecretInCassette(cassette([{ base64: frame.toString('base64') }]), '', secrets)?.field).toBe(
      'response.chunks (event-stream frame 0)',
    );
    expect(
      findSecretInCassette(cassette([{ text: 'fine' }], { upstreamRequest: { body: { user: 'secret-value-42' } } }), '', secrets)?.field,
    ).toBe('upstreamRequest.body.user');
    expect(findSecretInCassette(cassette([{ text: 'fine' }]), '# note: secret-value-42', secrets)?.field).toBe('the cassette text');
    expect(findSecretInCassette(cassette([{ text: 'fine' }]), '', secrets)).toBeNull();
  });

  it('masks every known value in a log line, longest first', () => {
    const s = new SecretSet();
    s.add('abcdefgh', 'a');
    s.add('abcdefgh-longer', 'b');
    expect(s.mask('x abcdefgh-longer y abcdefgh')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });
});
