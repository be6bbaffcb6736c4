import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_SOURCE = join(ROOT, 'src', 'cli.ts');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines. */
  records: unknown[];
  /** How many times stdout was written to. */
  writes: number;
}

async function inspect(args: string[], stdinChunks: (string | number[] | Buffer)[] = []): Promise<Result> {
  let stdout = '';
  let stderr = '';
  let writes = 0;
  const stdin = Readable.from(stdinChunks.map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c as string))));
  const code = await main(['inspect', ...args], {
    stdin,
    stdout: (t) => {
      stdout += t;
      writes++;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  let records: unknown[] = [];
  try {
    if (stdout !== '')
      records = stdout
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => JSON.parse(l) as unknown);
  } catch {
    records = [{ notJsonLines: stdout }];
  }
  return { code, stdout, stderr, records, writes };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamproof-inspect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const SAMPLE =
  '\uFEFF: hello\r\n' +
  'retry: 3000\r\n' +
  'event: delta\r\nid: 1\r\ndata: {"a":1}\r\n\r\n' +
  'data: line one\r\ndata: line two\r\n\r\n' +
  'retry: nope\r\n' +
  'id: 2\r\nevent: done\r\n\r\n' +
  'data: [DONE]\r\n\r\n' +
  'data: unterminated\r\n';

const SAMPLE_RECORDS = [
  { retry: 3000 },
  { event: 'delta', data: '{"a":1}', id: '1' },
  { event: null, data: 'line one\nline two', id: '1' },
  { event: null, data: '[DONE]', id: '2' },
];

describe('runInspect on files', () => {
  it('prints dispatched events and retries as JSON lines, keys in order', async () => {
    const file = await tempFile('sample.sse', SAMPLE);
    const r = await inspect([file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.records).toEqual(SAMPLE_RECORDS);
    expect(r.stdout.split('\n')[1]).toBe('{"event":"delta","data":"{\\"a\\":1}","id":"1"}');
    expect(r.stdout.endsWith('\n')).toBe(true);
  });

  it('an empty file prints nothing and succeeds', async () => {
    const r = await inspect([await tempFile('empty.sse', '')]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('keeps invalid UTF-8 as U+FFFD and NUL in data', async () => {
    const file = await tempFile(
      'bytes.sse',
      Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('\0b\n\n')]),
    );
    const r = await inspect([file]);
    expect(r.records).toEqual([{ event: null, data: 'a\uFFFD\uFFFD\0b', id: null }]);
  });

  it('streams a file larger than one read', async () => {
    const n = 20_000;
    let text = '';
    for (let i = 0; i < n; i++) text += `id: ${i}\r\ndata: é${i}😀\r\n\r\n`;
    const file = await tempFile('big.sse', text);
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 65536);
    const r = await inspect([file]);
    expect(r.code).toBe(0);
    expect(r.records).toHaveLength(n);
    expect(r.records[n - 1]).toEqual({ event: null, data: `é${n - 1}😀`, id: String(n - 1) });
    // Output is produced read by read, not once at the end.
    expect(r.writes).toBeGreaterThan(1);
    for (let i = 0; i < n; i += 997) expect(r.records[i]).toEqual({ event: null, data: `é${i}😀`, id: String(i) });
  });

  it('a missing file is exit 2 with the reason', async () => {
    const missing = join(dir, 'nope.sse');
    const r = await inspect([missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`streamproof inspect: ${missing}: cannot read it: ENOENT: no such file or directory\n`);
  });

  it('a directory is exit 2', async () => {
    const r = await inspect([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^streamproof inspect: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read it: EISDIR`));
  });
});

describe('runInspect on stdin', () => {
  it('reads stdin with no argument and with -', async () => {
    for (const args of [[], ['-'], ['--format', 'sse', '-']]) {
      const r = await inspect(args, [SAMPLE]);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.records, args.join(' ')).toEqual(SAMPLE_RECORDS);
    }
  });

  it('reads that split a CRLF, a UTF-8 character and the BOM give the same records', async () => {
    const chunks: Buffer[] = [
      Buffer.from([0xef, 0xbb]),
      Buffer.from([0xbf]),
      Buffer.from('event: é'),
      Buffer.from('\r'),
      Buffer.from('\ndata: caf'),
      Buffer.from([0xc3]), // é = C3 A9, split across reads
      Buffer.from([0xa9, 0x20, 0xf0, 0x9f]), // 😀 = F0 9F 98 80
      Buffer.from([0x98, 0x80]),
      Buffer.from('\r\n\r'),
      Buffer.from('\nretry: 5\r'),
      Buffer.from('\n'),
      Buffer.from('data: next\r\n\r\n'),
    ];
    const r = await inspect([], chunks);
    expect(r.code).toBe(0);
    expect(r.records).toEqual([{ event: 'é', data: 'café 😀', id: null }, { retry: 5 }, { event: null, data: 'next', id: null }]);
  });

  it('every two-piece split of the sample gives the same records', async () => {
    const bytes = Buffer.from(SAMPLE);
    for (let k = 0; k <= bytes.length; k += 7) {
      const r = await inspect([], [bytes.subarray(0, k), bytes.subarray(k)]);
      expect(r.records, `split at ${k}`).toEqual(SAMPLE_RECORDS);
    }
  });

  it('an empty event field prints "event": null, whole and split at every byte', async () => {
    const text = 'event:\ndata: a\n\nevent: \r\ndata: b\r\n\r\nevent\rdata: c\r\revent: named\nevent:\ndata: d\n\n';
    const expected = [
      { event: null, data: 'a', id: null },
      { event: null, data: 'b', id: null },
      { event: null, data: 'c', id: null },
      { event: null, data: 'd', id: null },
    ];
    const whole = await inspect([await tempFile('empty-event.sse', text)]);
    expect(whole.code).toBe(0);
    expect(whole.records).toEqual(expected);
    expect(whole.stdout.split('\n')[0]).toBe('{"event":null,"data":"a","id":null}');
    const bytes = Buffer.from(text);
    for (let k = 1; k < bytes.length; k++) {
      const r = await inspect([], [bytes.subarray(0, k), bytes.subarray(k)]);
      expect(r.records, `split at ${k}`).toEqual(expected);
    }
    const bytewise = await inspect(
      [],
      [...bytes].map((b) => Buffer.from([b])),
    );
    expect(bytewise.records).toEqual(expected);
  });

  it('a line over the parser limit is exit 2, after printing what came before', async () => {
    const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x78);
    const r = await inspect([], [Buffer.from('data: ok\n\ndata: '), huge]);
    expect(r.code).toBe(2);
    expect(r.records).toEqual([{ event: null, data: 'ok', id: null }]);
    expect(r.stderr).toMatch(/^streamproof inspect: stdin: SSE line longer than 4194304 bytes \(line starts at byte 10\)\n$/);
  });
});

describe('runInspect arguments', () => {
  it('unknown flags are exit 2 with a usage line', async () => {
    const r = await inspect(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^streamproof inspect: Unknown option '--bogus'/);
    expect(r.stderr).toContain('usage: streamproof inspect');
  });

  it('--format sse is accepted in both spellings', async () => {
    const file = await tempFile('fmt.sse', SAMPLE);
    for (const args of [
      ['--format', 'sse', file],
      [`--format=sse`, file],
      [file, '--format', 'sse'],
    ]) {
      const r = await inspect(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.records).toEqual(SAMPLE_RECORDS);
    }
  });

  it('any other --format is exit 2 with a clear message', async () => {
    for (const args of [['--format', 'ndjson'], ['--format=json'], ['--format=']]) {
      const r = await inspect(args, [SAMPLE]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^streamproof inspect: unsupported --format ".*" \(supported: sse, eventstream\)\n/);
    }
  });

  it('--format without a value is exit 2', async () => {
    const r = await inspect(['--format']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^streamproof inspect: .*--format.*\n/);
    expect(r.stderr).toContain('usage: streamproof inspect');
  });

  it('more than one FILE is exit 2', async () => {
    const r = await inspect(['a.sse', 'b.sse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected at most one FILE, got 2');
    expect(r.stderr).toContain('usage: streamproof inspect');
  });

  it('--help prints usage and succeeds', async () => {
    const r = await inspect(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: streamproof inspect/);
  });
});

describe('the real CLI', () => {
  it.skipIf(!existsSync(CLI_SOURCE))('node bin/streamproof.js inspect FILE', async () => {
    const file = await tempFile('cli.sse', SAMPLE);
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(ROOT, 'bin', 'streamproof.js'), 'inspect', file], { cwd: ROOT }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      });
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(SAMPLE_RECORDS);
  });

  it('says a cassette YAML is not a stream instead of printing nothing', async () => {
    const r = await inspect([join(ROOT, 'fixtures/openai/text-usage.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/text-usage\.yaml: no SSE events: this looks like a cassette YAML; inspect reads raw stream bytes/);
  });

  it('an event that never ends is an error at the event bound, not unbounded memory', async () => {
    const line = Buffer.from(
      'data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n'.repeat(10_000),
    );
    const chunks = Array.from({ length: 20 }, () => line); // 20 MB of data lines, no blank line
    const r = await inspect([], chunks);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('streamproof inspect: stdin: SSE event with more than 16777216 bytes of data\n');
  });
});
