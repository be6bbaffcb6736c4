// Shared by the record suites: the record command in-process (its URL once it listens), cassettes
// constructed here for the exchanges, and a client that keeps every read.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { main } from '../../src/cli.ts';
import { loadCassette, type Cassette } from '../../src/cassette/cassette.ts';

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `streamproof record …` in-process; resolves with its URL once it listens, and `done` when it exits. */
export async function startRecordCommand(args: string[]): Promise<{ url: string; done: Promise<CommandRun> }> {
  let stdout = '';
  let stderr = '';
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const done = main(['record', ...args], {
    stdin: Readable.from([]),
    stdout: (t) => {
      stdout += t;
      const m = / on (http:\/\/127\.0\.0\.1:\d+) /.exec(stdout);
      if (m) listening(m[1]!);
    },
    stderr: (t) => void (stderr += t),
  }).then((code) => ({ code, stdout, stderr }));
  const first = await Promise.race([url, done]);
  if (typeof first !== 'string') throw new Error(`record exited ${first.code} before listening:\n${first.stdout}\n${first.stderr}`);
  return { url: first, done };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `streamproof-${prefix}-`));
}

/** Writes a cassette constructed by a test (YAML text) and loads it. */
export function constructedCassette(dir: string, name: string, yaml: string): Cassette {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return loadCassette(file);
}

export interface ClientResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  reads: Buffer[];
  body: Buffer;
  error?: string;
}

/** One POST, keeping every read (and a transport error instead of a throw). */
export async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<ClientResult> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const reads: Buffer[] = [];
  let error: string | undefined;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) reads.push(Buffer.from(chunk));
  } catch (err) {
    error = (err as Error).message;
  }
  return { status: res.statusCode, headers: res.headers, reads, body: Buffer.concat(reads), ...(error !== undefined ? { error } : {}) };
}

/** An OpenAI stream constructed for these tests: text in three deltas, usage, [DONE]. */
export const OPENAI_TEXT_CASSETTE = `provider: openai
description: constructed for the record tests
source: {kind: constructed, format: OpenAI chat completion chunks}
request:
  body: {model: gpt-test, messages: [{role: user, content: Count to three.}], stream: true, stream_options: {include_usage: true}}
upstreamRequest: {path: /v1/chat/completions}
response:
  headers:
    content-type: text/event-stream
    x-request-id: req_record_test
  chunks:
    - {at: 0, data: '{"id":"chatcmpl-rec1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}'}
    - {at: 15, data: '{"id":"chatcmpl-rec1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"One,"},"finish_reason":null}]}'}
    - {at: 30, text: 'data: {"id":"chatcmpl-rec1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":" two,"}'}
    - {at: 31, text: ",\\"finish_reason\\":null}]}\\n\\n"}
    - {at: 45, data: '{"id":"chatcmpl-rec1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":" three."},"finish_reason":"stop"}]}'}
    - {at: 46, data: '{"id":"chatcmpl-rec1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}'}
    - {at: 46, text: "data: [DONE]\\n\\n"}
expect:
  text: One, two, three.
  usage: {prompt_tokens: 5, completion_tokens: 4, total_tokens: 9}
  finishReason: stop
`;

export const OPENAI_TEXT_REQUEST = {
  model: 'gpt-test',
  messages: [{ role: 'user', content: 'Count to three.' }],
  stream: true,
  stream_options: { include_usage: true },
};

/** One POST with node's HTTP client, keeping each body piece as it arrives (one per upstream write) and its time from the head. */
export function postReads(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; reads: { bytes: Buffer; at: number }[] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const t0 = performance.now();
      const reads: { bytes: Buffer; at: number }[] = [];
      res.on('data', (chunk: Buffer) => reads.push({ bytes: Buffer.from(chunk), at: performance.now() - t0 }));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reads }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
