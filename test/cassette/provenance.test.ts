// Fixture provenance: cassettes are data constructed from the providers' documented formats or
// recorded by this project, never another project's test data. No file under fixtures/ may name
// another project's recordings or tests as its source: the projects known to publish LLM stream
// recordings, and the shapes such references take (a `__fixtures__` folder, `*.chunks.txt`, a test
// file or testdata path that is not in this repository, "fixture of …", an httprr capture, a GitHub
// URL). Cassettes that still cite such a source are listed in KNOWN_DEBT, a list that may only
// shrink: a listed file that no longer cites one fails until it is taken off the list.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Projects whose recorded fixtures or cassettes must not be the source of ours. */
const FOREIGN_PROJECTS = [
  'vercel',
  'litellm',
  'pydantic-ai',
  'pydantic/',
  'envoyproxy',
  'ai-gateway',
  'adk-go',
  'aiproxyswift',
  'anthropic-sdk-',
  'openai-node',
  'openai-python',
  'langchain',
  'llamaindex',
  'portkey',
];

/** Shapes a reference to someone's test data takes, whatever the project. */
const TEST_DATA_SHAPES: RegExp[] = [
  /__fixtures__/i,
  /\.chunks\.txt\b/i,
  /\btestdata\//i,
  /\.snap\b/i,
  /\bfixtures? of\b/i,
  /\bhttprr\b/i,
  /github\.com\//i,
  /\b(?:recorded|vcr) [\w/.-]+ (?:fixture|cassette)s?\b/i,
];

/** Test files: fine when the path is one of this repository's, foreign otherwise. */
const TEST_FILE = /[\w./-]*(?:\.test\.[cm]?[jt]s|_test\.(?:go|py)|\btest_\w+\.py)\b/gi;

/** The foreign references in `text`, one string each; `exists` answers for repository paths. */
function foreignFixtureMentions(text: string, exists: (path: string) => boolean): string[] {
  const lower = text.toLowerCase();
  const out = FOREIGN_PROJECTS.filter((name) => lower.includes(name));
  for (const shape of TEST_DATA_SHAPES) {
    const m = shape.exec(text);
    if (m) out.push(m[0]);
  }
  for (const m of text.matchAll(TEST_FILE)) if (!exists(m[0])) out.push(m[0]);
  return out;
}

/**
 * Cassettes that still cite another project's recordings as the source of their byte layout. Each
 * is to be re-derived from the provider's documentation and then taken off this list.
 */
const KNOWN_DEBT: string[] = [];

function fixtureFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', 'fixtures'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
}

const inRepo = (path: string): boolean => existsSync(join(ROOT, path));

describe('fixture provenance', () => {
  const files = fixtureFiles();
  const mentions = new Map(files.map((file) => [file, foreignFixtureMentions(readFileSync(join(ROOT, file), 'utf8'), inRepo)]));

  it('reads every cassette and golden under fixtures/', () => {
    expect(files.filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(60);
    expect(files.filter((f) => /\.(sse|json)$/.test(f)).length).toBeGreaterThan(80);
  });

  it('no file under fixtures/ names another project’s fixtures or tests as its source', () => {
    const offenders = [...mentions]
      .filter(([file, found]) => found.length > 0 && !KNOWN_DEBT.includes(file))
      .map(([file, found]) => `${file}: ${found.join(', ')}`);
    expect(offenders).toEqual([]);
  });

  it('KNOWN_DEBT only shrinks: every listed cassette exists and still cites a foreign source', () => {
    const stale = KNOWN_DEBT.filter((file) => (mentions.get(file) ?? []).length === 0);
    expect(stale, 'taken off the list once re-derived from the documentation').toEqual([]);
  });
});

describe('foreignFixtureMentions', () => {
  const none = (): boolean => false;

  it('flags the forms a foreign source takes', () => {
    const samples = [
      'key order of the recorded vercel/ai fixture openai-error.1.chunks.txt',
      'as in litellm tests',
      'padding of the recorded pydantic/pydantic-ai cassette test_anthropic_model.yaml',
      'usage chunk as in envoyproxy ai-gateway data',
      'layout of packages/openai/src/__fixtures__/azure.txt',
      'shape of the fixture of another SDK',
      'bytes of TestStreaming.httprr',
      'see https://github.com/acme/llm-kit/blob/main/stream.txt',
      'following ChatCompletionStream.test.ts snapshots',
      'copied from stream_test.go',
      'from tests/test_streaming.py',
      'stored under testdata/xai/simple.yaml',
      'the recorded acme/sdk cassette',
    ];
    for (const sample of samples) expect(foreignFixtureMentions(sample, none), sample).not.toEqual([]);
  });

  it('accepts documentation sources, provider names and this repository’s own tests', () => {
    const samples = [
      'OpenAI API reference, "The chat completion chunk object": keys in the order of its example',
      'Microsoft Learn, Azure OpenAI "Content streaming" (sample response streams)',
      'Helicone-Auth header beside the provider Authorization',
      'model meta-llama/Llama-3.3-70B-Instruct-Turbo; compact pydantic JSON with exclude_unset',
      'its route needs endpoint: prompt (see test/providers/straico/prompt-endpoint.test.ts)',
    ];
    for (const sample of samples) expect(foreignFixtureMentions(sample, inRepo), sample).toEqual([]);
  });
});
