// The cassette schema additions for recordings: `expect.reviewed`, `request.native` and
// `source.boundaries`, and what the loader says about a recording it cannot replay.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/base/errors.ts';
import { loadCassette } from '../../src/cassette/cassette.ts';
import { shippedCassettes } from '../helpers/cassettes.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamproof-schema-'));

function cassetteText(request: string, extra = ''): string {
  return `provider: openai
description: a recording
source: {kind: recorded, format: streamproof record, boundaries: recorded}
${request}
upstreamRequest: {path: /v1/chat/completions}
response:
  chunks:
    - {at: 0, text: "data: [DONE]\\n\\n"}
expect:
  text: ""${extra}
`;
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function loadError(file: string): InputError {
  try {
    loadCassette(file);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error(`${file} loaded`);
}

describe('cassette schema: recordings', () => {
  it('every shipped cassette counts as reviewed (reviewed is absent, which means true)', () => {
    const unreviewed = shippedCassettes().filter((c) => c.expect.reviewed === false);
    expect(unreviewed.map((c) => c.name)).toEqual([]);
  });

  it('keeps reviewed: false and the boundaries kind', () => {
    const file = write('unreviewed.yaml', cassetteText('request: {body: {model: m, messages: [], stream: true}}', '\n  reviewed: false'));
    const c = loadCassette(file);
    expect(c.expect.reviewed).toBe(false);
    expect(c.source.boundaries).toBe('recorded');
  });

  it('refuses a request with neither body nor native, naming the line', () => {
    const file = write('no-request.yaml', cassetteText('request: {headers: {}}'));
    const err = loadError(file);
    expect(err.message).toBe(
      `${file}:4: request: request needs \`body\` (an OpenAI chat request) or \`native\` (the recorded request in the provider dialect)`,
    );
  });

  it('refuses to replay a recording that has only the native request, naming its line', () => {
    const file = write('native.yaml', cassetteText('request:\n  native: {model: claude, max_tokens: 5, messages: []}'));
    const err = loadError(file);
    expect(err.line).toBe(5);
    expect(err.problem).toMatch(/only `native`.*write request\.body before replaying it through a gateway/);
  });
});
