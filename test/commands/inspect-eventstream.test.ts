// `streamproof inspect --format eventstream`: one JSON line per AWS event-stream frame, the
// payload parsed where it is JSON, the inner event of Bedrock InvokeModel chunks decoded; a
// corrupt or cut frame is a message naming its byte offset on stderr and exit 2.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { encodeFrame } from '../../src/eventstream/codec.ts';
import { cassetteBody, loadCassette } from '../../src/cassette/cassette.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function inspect(args: string[], stdinChunks: Buffer[] = []) {
  let stdout = '';
  let stderr = '';
  const code = await main(['inspect', ...args], {
    stdin: Readable.from(stdinChunks),
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  const records =
    stdout === '' || stdout.startsWith('usage:')
      ? []
      : stdout
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => JSON.parse(l) as unknown);
  return { code, stdout, stderr, records };
}

const EVENT = (type: string) => ({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' });
const claudeStart = { type: 'message_start', message: { id: 'msg_bdrk_01', usage: { input_tokens: 3 } } };
const sample = Buffer.concat([
  encodeFrame(EVENT('messageStart'), '{"p":"abc","role":"assistant"}'),
  encodeFrame(EVENT('chunk'), JSON.stringify({ bytes: Buffer.from(JSON.stringify(claudeStart)).toString('base64'), p: 'ab' })),
  encodeFrame(
    { ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' },
    '{"message":"Too many requests"}',
  ),
  encodeFrame({ ':event-type': 'raw' }, 'not json'),
  encodeFrame({}, ''),
]);
const SAMPLE_RECORDS = [
  { headers: EVENT('messageStart'), payload: { p: 'abc', role: 'assistant' } },
  {
    headers: EVENT('chunk'),
    payload: { bytes: Buffer.from(JSON.stringify(claudeStart)).toString('base64'), p: 'ab' },
    decoded: claudeStart,
  },
  {
    headers: { ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' },
    payload: { message: 'Too many requests' },
  },
  { headers: { ':event-type': 'raw' }, payload: 'not json' },
  { headers: {}, payload: '' },
];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamproof-inspect-es-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inspect --format eventstream', () => {
  it('prints one JSON line per frame: headers, payload (JSON where it is JSON), decoded chunk bytes', async () => {
    const file = join(dir, 'sample.bin');
    await writeFile(file, sample);
    const r = await inspect(['--format', 'eventstream', file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.records).toEqual(SAMPLE_RECORDS);
    expect(r.stdout.split('\n')[0]).toBe(
      '{"headers":{":event-type":"messageStart",":content-type":"application/json",":message-type":"event"},"payload":{"p":"abc","role":"assistant"}}',
    );
  });

  it('gives the same lines however stdin is split (inside preludes, headers, payloads)', async () => {
    for (let i = 0; i <= sample.length; i += 3) {
      const r = await inspect(['--format=eventstream', '-'], [sample.subarray(0, i), sample.subarray(i)]);
      expect(r.records, `split at ${i}`).toEqual(SAMPLE_RECORDS);
    }
    const bytewise = await inspect(
      ['--format', 'eventstream'],
      [...sample].map((b) => Buffer.from([b])),
    );
    expect(bytewise.records).toEqual(SAMPLE_RECORDS);
  });

  it('decodes a shipped Bedrock cassette body frame by frame', async () => {
    const cassette = loadCassette(join(ROOT, 'fixtures/bedrock-invoke/text-usage.yaml'));
    const r = await inspect(
      ['--format', 'eventstream'],
      cassette.response.chunks.map((c) => c.bytes),
    );
    expect(r.code).toBe(0);
    const decoded = r.records.map((x) => (x as { decoded: { type: string } }).decoded.type);
    expect(decoded[0]).toBe('message_start');
    expect(decoded.at(-1)).toBe('message_stop');
    expect(Buffer.concat(cassette.response.chunks.map((c) => c.bytes)).equals(cassetteBody(cassette))).toBe(true);
  });

  it('a corrupt frame: the frames before it, then the byte offset on stderr, exit 2', async () => {
    const bad = Buffer.from(sample);
    const second = bad.readUInt32BE(0);
    bad[second + 30]! ^= 0x20;
    const r = await inspect(['--format', 'eventstream'], [bad]);
    expect(r.code).toBe(2);
    expect(r.records).toEqual([SAMPLE_RECORDS[0]]);
    expect(r.stderr).toMatch(new RegExp(`^streamproof inspect: stdin: event-stream frame at byte ${second}: The message checksum .*\\n$`));
  });

  it('a corrupt prelude or an impossible length is exit 2 at once', async () => {
    const bad = Buffer.from(sample.subarray(0, 12));
    bad[0] = 0xff;
    const r = await inspect(['--format', 'eventstream'], [bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^streamproof inspect: stdin: event-stream frame at byte 0: prelude CRC mismatch/);
  });

  it('input that ends inside a frame is exit 2, naming where that frame starts', async () => {
    const r = await inspect(['--format', 'eventstream'], [sample.subarray(0, sample.length - 5)]);
    expect(r.code).toBe(2);
    expect(r.records).toEqual(SAMPLE_RECORDS.slice(0, 4));
    expect(r.stderr).toBe(
      `streamproof inspect: stdin: input ended inside the event-stream frame at byte ${sample.length - 16} (11 of the 12-byte prelude)\n`,
    );
    const inPayload = await inspect(['--format', 'eventstream'], [sample.subarray(0, sample.length - 20)]);
    const rawLength = encodeFrame({ ':event-type': 'raw' }, 'not json').length; // the fourth frame, cut 4 bytes short
    const rawStart = sample.length - 16 - rawLength;
    expect(inPayload.code).toBe(2);
    expect(inPayload.stderr).toBe(
      `streamproof inspect: stdin: input ended inside the event-stream frame at byte ${rawStart} (${rawLength - 4} of ${rawLength} bytes)\n`,
    );
  });

  it('an empty input prints nothing and succeeds', async () => {
    expect(await inspect(['--format', 'eventstream'], [])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('--help names the format', async () => {
    const r = await inspect(['--help']);
    expect(r.stdout).toContain('--format sse|eventstream');
  });

  it('node bin/streamproof.js inspect --format eventstream FILE', async () => {
    const file = join(dir, 'cli.bin');
    await writeFile(file, sample);
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'bin', 'streamproof.js'), 'inspect', '--format', 'eventstream', file],
        { cwd: ROOT },
        (err, stdout, stderr) => {
          resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
        },
      );
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(SAMPLE_RECORDS);
  });

  it('without --format eventstream, says the input looks like AWS event-stream instead of printing nothing', async () => {
    const r = await inspect([], [sample]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'streamproof inspect: stdin: no SSE events: the input is binary and looks like AWS event-stream framing (Bedrock): use --format eventstream\n',
    );
  });
});
