import { describe, it, expect, vi } from 'vitest';
import { createSseParser, SseLineTooLongError, type SseEvent } from '../../src/sse/parser.ts';
import {
  bytesOf,
  checkAllSplits,
  comment,
  ev,
  expectSameBoundaries,
  retry,
  runBytewise,
  runCuts,
  runReads,
  type Entry,
  type Input,
} from './harness.ts';
import { createPrng } from '../../src/base/prng.ts';

const BOM = [0xef, 0xbb, 0xbf] as const;
const utf8 = (bytes: readonly number[]): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(Uint8Array.from(bytes));

/** Declare one vector as its own test; the name shows the input. */
function vector(input: Input, expected: Entry[], name?: string): void {
  it(name ?? JSON.stringify(typeof input === 'string' ? input : bytesOf(input).toString('latin1')), () => {
    checkAllSplits(input, expected);
  });
}

describe('BOM: EF BB BF is stripped only at stream start', () => {
  vector('\uFEFFdata: x\n\n', [ev('x')]);
  vector('\uFEFF: c\n', [comment(' c')]);
  // A second BOM is the first character of the first field name, so that field is unknown.
  vector('\uFEFF\uFEFFdata: x\n\n', []);
  vector('\uFEFF\uFEFFdata: x\n\ndata: y\n\n', [ev('y')]);
  // Not at stream start: part of the field name, or of the data.
  vector('data: x\n\n\uFEFFdata: y\n\n', [ev('x')]);
  vector('\n\uFEFFdata: y\n\n', []);
  vector('data: \uFEFFx\n\n', [ev('\uFEFFx')]);
  vector('data:\uFEFF\n\n', [ev('\uFEFF')]);
  // Only a BOM, or part of one, and nothing else.
  vector([...BOM], []);
  vector([0xef, 0xbb], []);
  // A BOM prefix that does not complete is data: EF BB is one U+FFFD, a line of its own here.
  vector([0xef, 0xbb, '\ndata: x\n\n'], [ev('x')]);
  vector([0xef, 0xbb, 0x41, ':\n'], []);
  vector([0xef, 'data: x\n\n'], []);
  vector([0xef, 0xbb, 0xbe, '\ndata: x\n\n'], [ev('x')]);

  it('a BOM split across three reads, with empty reads around it', () => {
    const body = bytesOf('data: x\n\n');
    const reads = [[], [0xef], [], [0xbb], [0xbf], [], [...body]].map((a) => Uint8Array.from(a));
    const got = runReads(reads);
    expect(got.entries).toEqual([ev('x')]);
    expect(got.boundaries).toEqual([12]);
  });

  it('empty reads before the first byte do not end the BOM check', () => {
    const got = runReads([new Uint8Array(0), new Uint8Array(0), bytesOf('\uFEFFdata: x\n\n')]);
    expect(got.entries).toEqual([ev('x')]);
  });

  it('a held BOM prefix counts as buffered bytes', () => {
    const p = createSseParser({ onEvent: () => {} });
    p.feed(Uint8Array.from([0xef, 0xbb]));
    expect(p.bufferedBytes).toBe(2);
    p.feed(Uint8Array.from([0xbf]));
    expect(p.bufferedBytes).toBe(0);
  });
});

describe('line endings: CR, LF and CRLF', () => {
  vector('data: a\n\ndata: b\r\rdata: c\r\n\r\n', [ev('a'), ev('b'), ev('c')]);
  vector('data: a\rdata: b\r\ndata: c\n\n', [ev('a\nb\nc')]);
  // CR LF is one line end; LF CR is two (the CR ends a blank line).
  vector('data: a\r\ndata: b\r\n\r\n', [ev('a\nb')]);
  vector('data: a\n\rdata: b\n\n', [ev('a'), ev('b')]);
  vector('data: a\r\r\n', [ev('a')]);
  vector('data: a\r\n\r\r\ndata: b\r\n\r\n', [ev('a'), ev('b')]);
  // A lone CR at the very end of the stream terminates the blank line.
  vector('data: x\r\r', [ev('x')]);
  vector('data: x\n\r', [ev('x')]);
  vector('data: x\r', []);
  vector('\r\n\r\n\r\r\n\n', []);

  it('CR at the end of one read and LF at the start of the next are one line end', () => {
    const reads = ['data: a\r', '\ndata: b\r', '\n\r', '\n'].map((s) => bytesOf(s));
    expect(runReads(reads).entries).toEqual([ev('a\nb')]);
  });

  it('CR at the end of a read, then an empty read, then LF is still one line end', () => {
    const reads = ['data: a\r', '', '\ndata: b\r', '', '', '\n\n'].map((s) => bytesOf(s));
    expect(runReads(reads).entries).toEqual([ev('a\nb')]);
  });

  it('the event is dispatched as soon as the CR of the blank line arrives', () => {
    const events: SseEvent[] = [];
    const p = createSseParser({ onEvent: (e) => events.push(e) });
    p.feed(bytesOf('data: x\r\n\r'));
    expect(events).toEqual([{ type: null, data: 'x', id: null }]);
    p.feed(bytesOf('\ndata: y\r\n\r\n'));
    expect(events.map((e) => e.data)).toEqual(['x', 'y']);
  });
});

describe('comments: lines starting with ":" are ignored', () => {
  vector(':comment\ndata: x\n\n', [comment('comment'), ev('x')]);
  vector(': keep-alive\n\n', [comment(' keep-alive')]);
  vector('data: a\n: in the middle\ndata: b\n\n', [comment(' in the middle'), ev('a\nb')]);
  vector(':\n:\n\n', [comment(''), comment('')]);
  vector('::data: x\n\n', [comment(':data: x')]);
  vector(':data: x\r\n\r\n', [comment('data: x')]);
  // A leading space makes it a field named " ", not a comment.
  vector(' :x\ndata: y\n\n', [ev('y')]);
  vector(':é😀\n', [comment('é😀')]);
});

describe('a field with no colon has an empty value', () => {
  vector('data\n\n', [ev('')]);
  vector('data\ndata\n\n', [ev('\n')]);
  vector('data\ndata: x\n\n', [ev('\nx')]);
  // An empty event type is the default type (null), see below.
  vector('event\ndata: x\n\n', [ev('x')]);
  vector('id\ndata: x\n\n', [ev('x', null, '')]);
  vector('retry\n', []);
  vector('data x\n\n', []);
  vector('dataa\n\n', []);
  vector('data\r', []);
});

describe('exactly one space after the colon is removed', () => {
  vector('data:x\n\n', [ev('x')]);
  vector('data: x\n\n', [ev('x')]);
  vector('data:  x\n\n', [ev(' x')]);
  vector('data:   \n\n', [ev('  ')]);
  vector('data: \n\n', [ev('')]);
  vector('data:\n\n', [ev('')]);
  vector('data:\tx\n\n', [ev('\tx')]);
  vector('data:x \n\n', [ev('x ')]);
  vector('data: a:b: c\n\n', [ev('a:b: c')]);
  vector('event:  e\ndata\n\n', [ev('', ' e')]);
  vector('id:  7 \ndata\n\n', [ev('', null, ' 7 ')]);
  // A space before the colon is part of the name.
  vector('data :x\n\n', []);
});

describe('multiple data lines are joined with LF', () => {
  vector('data: a\ndata: b\ndata: c\n\n', [ev('a\nb\nc')]);
  vector('data: a\ndata:\ndata: c\n\n', [ev('a\n\nc')]);
  vector('data:\ndata:\n\n', [ev('\n')]);
  vector('data: a\nevent: e\nid: 1\ndata: b\n\n', [ev('a\nb', 'e', '1')]);
  vector('data: a\n\ndata: b\n\n', [ev('a'), ev('b')]);
});

describe('events are dispatched only on a blank line', () => {
  vector('data: x\n', []);
  vector('data: x', []);
  vector('data: a\n\ndata: b\n', [ev('a')]);
  vector('data: a\n\ndata: b', [ev('a')]);
  vector('data: a\n\ndata: b\r', [ev('a')]);
  vector('data: x\n\n\n\n', [ev('x')]);
  vector('\n\n\ndata: x\n\n', [ev('x')]);

  it('dispatches when the blank line arrives, and end() discards the unterminated event', () => {
    const events: SseEvent[] = [];
    const p = createSseParser({ onEvent: (e) => events.push(e) });
    p.feed(bytesOf('data: a\n'));
    expect(events).toHaveLength(0);
    p.feed(bytesOf('\n'));
    expect(events).toHaveLength(1);
    p.feed(bytesOf('data: b\n'));
    p.end();
    expect(events).toEqual([{ type: null, data: 'a', id: null }]);
  });
});

describe('the event type is reset after each dispatch', () => {
  vector('event: e\ndata: 1\n\ndata: 2\n\n', [ev('1', 'e'), ev('2')]);
  vector('event: a\nevent: b\ndata: x\n\n', [ev('x', 'b')]);
  vector('data: x\nevent: late\n\n', [ev('x', 'late')]);
  vector('event: message\ndata: x\n\n', [ev('x', 'message')]);
  vector('event: é😀\ndata: x\n\n', [ev('x', 'é😀')]);
});

describe('an empty event type is the default type, as if no event field was sent', () => {
  // WHATWG: the type buffer is set to the empty string, and an empty buffer dispatches as "message".
  vector('event:\ndata: x\n\n', [ev('x')]);
  vector('event: \ndata: x\n\n', [ev('x')]);
  vector('event\ndata: x\n\n', [ev('x')]);
  vector('event:\r\ndata: x\r\n\r\n', [ev('x')]);
  // An empty event field after a named one replaces it.
  vector('event: e\nevent:\ndata: x\n\n', [ev('x')]);
  vector('event: e\nevent\ndata: x\n\n', [ev('x')]);
  // A value that is only the second of two spaces is not empty.
  vector('event:  \ndata: x\n\n', [ev('x', ' ')]);
  // The cached type of the previous event does not leak into an empty one.
  vector('event: e\ndata: 1\n\nevent:\ndata: 2\n\nevent: e\ndata: 3\n\n', [ev('1', 'e'), ev('2'), ev('3', 'e')]);
});

describe('an event with no data lines dispatches nothing but resets the type', () => {
  vector('event: e\n\ndata: x\n\n', [ev('x')]);
  vector('event: e\nid: 7\n\ndata: x\n\n', [ev('x', null, '7')]);
  vector('event: e\nretry: 5\n\n', [retry(5)]);
  vector('event: e\n: c\n\n', [comment(' c')]);
  vector('event: e\nfoo: bar\n\ndata\n\n', [ev('')]);
});

describe('last event ID', () => {
  vector('id: 1\ndata: a\n\ndata: b\n\n', [ev('a', null, '1'), ev('b', null, '1')]);
  vector('id: 1\ndata: a\n\nid: 2\ndata: b\n\n', [ev('a', null, '1'), ev('b', null, '2')]);
  vector('data: a\nid: 5\n\n', [ev('a', null, '5')]);
  // An empty value sets it to "" (it does not restore null).
  vector('id: 1\ndata: a\n\nid\ndata: b\n\n', [ev('a', null, '1'), ev('b', null, '')]);
  vector('id: 1\ndata: a\n\nid:\ndata: b\n\n', [ev('a', null, '1'), ev('b', null, '')]);
  vector('id: 1\ndata: a\n\nid: \ndata: b\n\n', [ev('a', null, '1'), ev('b', null, '')]);
  // A value containing NUL is ignored entirely.
  vector('id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n', [ev('a', null, '1'), ev('b', null, '1')]);
  vector('id: \u0000\ndata: b\n\n', [ev('b')]);
  vector('id: 3\u0000\ndata: b\n\n', [ev('b')]);
  vector('id: 1\nid: \u0000\ndata: b\n\n', [ev('b', null, '1')]);
  // NUL elsewhere on the line or in other fields is irrelevant to the id.
  vector('id: 9\ndata: \u0000\n\n', [ev('\u0000', null, '9')]);
  vector('id: 🆔é\ndata\n\n', [ev('', null, '🆔é')]);
  // An id set in a block that dispatches nothing still persists.
  vector('id: 4\n\ndata: x\n\n', [ev('x', null, '4')]);
});

describe('retry is applied only when the value is all ASCII digits', () => {
  vector('retry: 10\n', [retry(10)]);
  vector('retry:10\n', [retry(10)]);
  vector('retry: 0\n', [retry(0)]);
  vector('retry: 007\n', [retry(7)]);
  vector('retry: 12345678901\n', [retry(12345678901)]);
  vector('retry: 10a\n', []);
  vector('retry: -1\n', []);
  vector('retry:\n', []);
  vector('retry: \n', []);
  vector('retry:  10\n', []);
  vector('retry: 10 \n', []);
  vector('retry: 1.5\n', []);
  vector('retry: +5\n', []);
  vector('retry: ١٢\n', []);
  vector('retry: 1\u00002\n', []);
  // Reported when its line ends, in stream order; an unterminated last line is discarded.
  vector('data: a\nretry: 5\n\n', [retry(5), ev('a')]);
  vector('retry: 1\nretry: 2\r\nretry: 3\r', [retry(1), retry(2), retry(3)]);
  vector('retry: 5', []);
});

describe('unknown fields are ignored', () => {
  vector('foo: bar\ndata: x\n\n', [ev('x')]);
  vector('Data: x\n\n', []);
  vector('DATA: x\n\n', []);
  vector('Event: e\ndata: x\n\n', [ev('x')]);
  vector('ID: 1\ndata: x\n\n', [ev('x')]);
  vector('Retry: 5\nretries: 5\nretr: 5\n', []);
  vector('dat: a\ndatum: b\neventx: c\ni: 1\nidd: 2\n\n', []);
  vector('dätä: x\n\n', []);
  vector(': x\nfoo\n\n', [comment(' x')]);
});

describe('UTF-8 characters split across reads decode correctly', () => {
  vector('data: é😀€ 中文\n\n', [ev('é😀€ 中文')]);
  vector('event: ünïcødé\nid: 🆔\ndata: 😀😀\n\n', [ev('😀😀', 'ünïcødé', '🆔')]);
  vector('data: 😀\r\n\r\n', [ev('😀')]);
  vector('data:😀\rdata:😀\r\r', [ev('😀\n😀')]);
});

describe('invalid UTF-8 becomes U+FFFD exactly as TextDecoder does', () => {
  const invalid: number[][] = [
    [0xff],
    [0xff, 0x41],
    [0x80],
    [0x80, 0x80],
    [0xc0, 0x80],
    [0xc3],
    [0xe2, 0x82],
    [0xe2, 0x82, 0x41],
    [0xed, 0xa0, 0x80],
    [0xe0, 0x80, 0xaf],
    [0xf0, 0x9f, 0x98],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xfe, 0xff],
    [0x41, 0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f],
  ];
  for (const bad of invalid) {
    const hex = bad.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    vector(['data: ', ...bad, '\n\n'], [ev(utf8(bad))], `data ${hex} LF`);
    vector(['data: ', ...bad, '\r\r'], [ev(utf8(bad))], `data ${hex} CR`);
    vector(['event: ', ...bad, '\nid: ', ...bad, '\ndata\n\n'], [ev('', utf8(bad), utf8(bad))], `event/id ${hex}`);
    vector([':', ...bad, '\n'], [comment(utf8(bad))], `comment ${hex}`);
    vector([...bad, 'data: x\n\n'], [], `field name ${hex}`);
  }

  it('matches new TextDecoder().decode of the same bytes', () => {
    const value = [0x61, 0xff, 0xe2, 0x82, 0x20, 0xf0, 0x9f, 0x98, 0x80, 0xc0];
    const got = runCuts(bytesOf(['data: ', ...value, '\n\n']), []);
    expect(got.entries).toEqual([ev(new TextDecoder().decode(Uint8Array.from(value)))]);
    expect(new TextDecoder().decode(Uint8Array.from(value))).toBe('a\uFFFD\uFFFD \u{1F600}\uFFFD');
  });
});

describe('onBoundary: absolute offset just past each blank line', () => {
  const cases: [Input, number[]][] = [
    ['data: a\n\n', [9]],
    [': c\n\n', [5]],
    ['\n\n\n', [1, 2, 3]],
    ['data: a\r\n\r\n', [11]],
    ['data: a\r\r', [9]],
    ['\uFEFFdata: a\n\n', [12]],
    [[0xef, 0xbb, '\ndata: a\n\n'], [12]],
    ['data: a\n\ndata: b\r\n\r\ndata: c', [9, 20]],
    ['event: e\n\ndata: é\n\n', [10, 20]],
    ['data: x\n', []],
  ];
  for (const [input, offsets] of cases) {
    it(JSON.stringify(typeof input === 'string' ? input : bytesOf(input).toString('latin1')), () => {
      expect(checkAllSplits(input, runCuts(bytesOf(input), []).entries).boundaries).toEqual(offsets);
    });
  }

  it('is called after the event it ends is dispatched', () => {
    const log: string[] = [];
    const p = createSseParser({ onEvent: (e) => log.push(`event ${e.data}`), onBoundary: (o) => log.push(`boundary ${o}`) });
    p.feed(bytesOf('data: a\n\n: c\n\n'));
    expect(log).toEqual(['event a', 'boundary 9', 'boundary 14']);
  });

  it('a read ending with the CR of CRLF reports the boundary just past the CR', () => {
    const bytes = bytesOf('data: a\r\n\r\ndata: b\r\n\r\n');
    expect(runCuts(bytes, []).boundaries).toEqual([11, 22]);
    const split = runCuts(bytes, [10, 21]);
    expect(split.boundaries).toEqual([10, 21]);
    expect(split.entries).toEqual([ev('a'), ev('b')]);
    expectSameBoundaries(bytes, [11, 22], split.boundaries, [10, 21], 'CR|LF');
  });

  it('segments cut at the boundaries hold whole events', () => {
    const bytes = bytesOf('id: 1\ndata: a\n\n: ping\n\nevent: e\ndata: b\ndata: c\n\ndata: tail');
    const got = runCuts(bytes, []);
    let prev = 0;
    const segments = got.boundaries.map((b) => {
      const s = bytes.subarray(prev, b).toString('utf8');
      prev = b;
      return s;
    });
    expect(segments).toEqual(['id: 1\ndata: a\n\n', ': ping\n\n', 'event: e\ndata: b\ndata: c\n\n']);
  });
});

describe('maxLineBytes', () => {
  const opts = { maxLineBytes: 8 };
  const cases: [string, Input, Entry[], { limit: number; offset: number } | null][] = [
    ['a line of exactly the limit is fine', 'data: 12\n\n', [ev('12')], null],
    ['the line terminator does not count', 'data: 12\r\n\r\n', [ev('12')], null],
    ['the stripped BOM does not count', '\uFEFFdata: 12\n\n', [ev('12')], null],
    ['one byte over', 'data: 123\n\n', [], { limit: 8, offset: 0 }],
    ['a later line', 'data: a\n\ndata: 123456\n\n', [ev('a')], { limit: 8, offset: 9 }],
    ['after a BOM', '\uFEFFdata: 123\n\n', [], { limit: 8, offset: 3 }],
    ['an unterminated tail', `data: a\n\n${'x'.repeat(20)}`, [ev('a')], { limit: 8, offset: 9 }],
    ['a long comment', `:${'c'.repeat(8)}\n`, [], { limit: 8, offset: 0 }],
  ];
  for (const [name, input, entries, error] of cases) {
    it(name, () => {
      expect(checkAllSplits(input, entries, opts).error).toEqual(error);
    });
  }

  it('throws SseLineTooLongError from feed()', () => {
    const p = createSseParser({ onEvent: () => {} }, { maxLineBytes: 4 });
    p.feed(bytesOf('da'));
    expect(p.bufferedBytes).toBe(2);
    let thrown: unknown;
    try {
      p.feed(bytesOf('ta: x'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SseLineTooLongError);
    expect(thrown).toMatchObject({ name: 'SseLineTooLongError', limit: 4, offset: 0 });
    expect((thrown as Error).message).toBe('SSE line longer than 4 bytes (line starts at byte 0)');
  });

  it('the default limit allows long lines', () => {
    const big = 'x'.repeat(1 << 20);
    expect(runCuts(bytesOf(`data: ${big}\n\n`), [1000, 500_000]).entries).toEqual([ev(big)]);
  });
});

describe('a long line arriving in small reads costs time linear in its length', () => {
  const cutReads = (bytes: Buffer, size: number): Buffer[] => {
    const reads: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) reads.push(bytes.subarray(i, i + size));
    return reads;
  };
  it('joins the pieces of a line once, when its end arrives, not once per read', () => {
    const value = 'é'.repeat(1 << 19); // 1 MiB of two-byte characters
    const reads = cutReads(bytesOf(`data: ${value}\n\ndata: next\n\n`), 256);
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const events: SseEvent[] = [];
      const p = createSseParser({ onEvent: (e) => events.push(e) });
      let maxBuffered = 0;
      for (const r of reads) {
        p.feed(r);
        maxBuffered = Math.max(maxBuffered, p.bufferedBytes);
      }
      p.end();
      expect(events.map((e) => e.data)).toEqual([value, 'next']);
      expect(maxBuffered).toBe(6 + (1 << 20) - ((6 + (1 << 20)) % 256));
      // One join for the long line (4,097 reads); the other lines each fit in one read or two.
      expect(concat.mock.calls.length).toBeLessThanOrEqual(3);
      const joined = concat.mock.calls.reduce((n, [list]) => n + (list as readonly Uint8Array[]).reduce((m, b) => m + b.length, 0), 0);
      expect(joined).toBeLessThan(2 * (1 << 20));
    } finally {
      concat.mockRestore();
    }
  });

  it('a value longer than 64 KiB decodes exactly as TextDecoder does, valid or not, however it is read', () => {
    // Long values are decoded in pieces cut at character starts: every byte mix must still give
    // the whole-buffer decode, U+FFFD for U+FFFD.
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const atoms = [
      [0x61],
      [0xc3, 0xa9],
      [0xe6, 0x95, 0xb0],
      [0xf0, 0x9f, 0x9a, 0x80],
      [0x80],
      [0xbf],
      [0xc3],
      [0xe6, 0x95],
      [0xf0, 0x9f],
      [0xf0, 0x9f, 0x9a],
      [0xff],
      [0xc0],
      [0xed, 0xa0, 0x80],
    ];
    for (let trial = 0; trial < 12; trial++) {
      const bytes: number[] = [];
      const weights = atoms.map(() => 1 + rnd(8));
      while (bytes.length < 200_000 + trial * 9_973) {
        let pick = rnd(weights.reduce((a, b) => a + b, 0));
        let k = 0;
        while (pick >= weights[k]!) pick -= weights[k++]!;
        bytes.push(...atoms[k]!);
      }
      const value = Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x0d));
      const expected = new TextDecoder().decode(value);
      const body = Buffer.concat([Buffer.from('data: '), value, Buffer.from('\n\n')]);
      for (const size of [body.length, 65_536, 4_093, 256]) {
        const events: SseEvent[] = [];
        const p = createSseParser({ onEvent: (e) => events.push(e) });
        for (const r of cutReads(body, size)) p.feed(r);
        expect(events.length).toBe(1);
        expect(events[0]!.data === expected, `trial ${trial}, reads of ${size}`).toBe(true);
      }
    }
  });

  it('a 4 MiB line in 256-byte reads copies its bytes about once, not once per read', () => {
    // Counted, not timed (a unit test has no clock to trust): re-joining the line on every read
    // would copy ~16,000 × 2 MiB on average; one join at the end copies 4 MiB.
    const value = 'x'.repeat(4 << 20);
    const reads = cutReads(bytesOf(`data: ${value}\n\n`), 256);
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      let got = '';
      const p = createSseParser({ onEvent: (e) => void (got = e.data) }, { maxLineBytes: 8 << 20 });
      for (const r of reads) p.feed(r);
      expect(got.length).toBe(value.length);
      const joined = concat.mock.calls.reduce((n, [list]) => n + (list as readonly Uint8Array[]).reduce((m, b) => m + b.length, 0), 0);
      expect(joined).toBeGreaterThanOrEqual(4 << 20); // the join is seen here, so the bound below means something
      expect(joined).toBeLessThan(2 * (4 << 20));
    } finally {
      concat.mockRestore();
    }
  });
});

describe('property: the parser agrees with a reference implementation on random streams', () => {
  /**
   * The spec, directly: decode the whole stream, strip one leading U+FEFF, split into lines,
   * drop the incomplete last line, apply the field rules.
   */
  function oracle(bytes: Uint8Array): { entries: Entry[]; blankLines: number } {
    let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    const lines = text.split(/\r\n|\r|\n/);
    lines.pop(); // whatever follows the last line end is discarded at end of stream
    const entries: Entry[] = [];
    let blankLines = 0;
    let data = '';
    let type: string | null = null;
    let lastId: string | null = null;
    for (const line of lines) {
      if (line === '') {
        blankLines++;
        if (data !== '') entries.push(ev(data.slice(0, -1), type, lastId));
        data = '';
        type = null;
        continue;
      }
      if (line.startsWith(':')) {
        entries.push(comment(line.slice(1)));
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'data') data += `${value}\n`;
      else if (name === 'event') type = value === '' ? null : value;
      else if (name === 'id') {
        if (!value.includes('\0')) lastId = value;
      } else if (name === 'retry') {
        if (/^[0-9]+$/.test(value)) entries.push(retry(Number(value)));
      }
    }
    return { entries, blankLines };
  }

  const NAMES: Input[] = [
    'data',
    'data',
    'data',
    'data',
    'event',
    'id',
    'id',
    'retry',
    'retry',
    'foo',
    'dat',
    'datas',
    'Data',
    '',
    ':',
    '\uFEFFdata',
    [0xff, 0x64],
  ];
  const VALUES: Input[] = [
    'x',
    'hello world',
    '123',
    '0',
    '42',
    '10a',
    '-1',
    ' ',
    ':',
    'a:b',
    '\0',
    'a\0b',
    'é',
    '€',
    '😀',
    '中',
    [0xff],
    [0xe2, 0x82],
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
    [0x80],
    [0xf0, 0x9f, 0x98],
    [...BOM],
    [0xef, 0xbb],
  ];
  const EOLS = ['\n', '\n', '\r', '\r\n'];
  const NOISE = [0x0d, 0x0a, 0x3a, 0x20, 0x00, 0xef, 0xbb, 0xbf, 0x61, 0x31, 0xff, 0xf0, 0x9f];

  function generate(rnd: () => number): Buffer {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const parts: Buffer[] = [];
    const r = rnd();
    if (r < 0.25) parts.push(Buffer.from(BOM));
    if (r < 0.05) parts.push(Buffer.from(BOM));
    else if (r < 0.3) parts.push(Buffer.from([0xef, 0xbb]));
    const lines = 1 + Math.floor(rnd() * 16);
    for (let i = 0; i < lines; i++) {
      const kind = rnd();
      if (kind < 0.25) {
        parts.push(bytesOf(pick(EOLS)));
        continue;
      }
      if (kind < 0.3) {
        const n = 1 + Math.floor(rnd() * 4);
        for (let j = 0; j < n; j++) parts.push(Buffer.from([pick(NOISE)]));
        continue;
      }
      const name = pick(NAMES);
      parts.push(bytesOf(name));
      const c = rnd();
      if (c < 0.85) parts.push(bytesOf(c < 0.5 ? ': ' : c < 0.6 ? ':  ' : ':'));
      if (name === 'retry' && rnd() < 0.5) parts.push(bytesOf(String(Math.floor(rnd() * 5000))));
      const values = Math.floor(rnd() * 3);
      for (let j = 0; j < values; j++) parts.push(bytesOf(pick(VALUES)));
      if (i < lines - 1 || rnd() < 0.8) parts.push(bytesOf(pick(EOLS)));
    }
    if (rnd() < 0.7) parts.push(bytesOf(pick(EOLS)));
    return Buffer.concat(parts);
  }

  function randomCuts(rnd: () => number, len: number): number[] {
    const n = Math.floor(rnd() * 6);
    return Array.from({ length: n }, () => Math.floor(rnd() * (len + 1))).sort((a, b) => a - b);
  }

  it('agrees on 4000 seeded random streams cut into random reads', () => {
    const rnd = createPrng(0x5eed);
    const totals = { events: 0, retries: 0, typed: 0, withId: 0, multiline: 0, replacement: 0, bom: 0 };
    for (let i = 0; i < 4000; i++) {
      const bytes = generate(rnd);
      const cuts = randomCuts(rnd, bytes.length);
      const want = oracle(bytes);
      const whole = runCuts(bytes, []);
      const split = runCuts(bytes, cuts);
      const bytewise = i % 4 === 0 ? runBytewise(bytes) : null;
      const wantJson = JSON.stringify(want.entries);
      const fail =
        JSON.stringify(whole.entries) !== wantJson ||
        JSON.stringify(split.entries) !== wantJson ||
        (bytewise !== null && JSON.stringify(bytewise.entries) !== wantJson) ||
        whole.boundaries.length !== want.blankLines;
      if (fail) {
        const hex = bytes.toString('hex');
        expect({
          i,
          hex,
          cuts,
          whole: whole.entries,
          split: split.entries,
          bytewise: bytewise?.entries,
          blankLines: whole.boundaries.length,
        }).toEqual({
          i,
          hex,
          cuts,
          whole: want.entries,
          split: want.entries,
          bytewise: bytewise && want.entries,
          blankLines: want.blankLines,
        });
      }
      expectSameBoundaries(bytes, whole.boundaries, split.boundaries, cuts, `stream ${i} ${bytes.toString('hex')} cut at ${cuts}`);
      for (const e of want.entries) {
        if (e.kind === 'retry') totals.retries++;
        if (e.kind !== 'event') continue;
        totals.events++;
        if (e.type !== null) totals.typed++;
        if (e.id !== null) totals.withId++;
        if (e.data.includes('\n')) totals.multiline++;
        if (e.data.includes('\uFFFD')) totals.replacement++;
        if (e.data.includes('\uFEFF')) totals.bom++;
      }
    }
    // The generator must actually exercise the interesting cases.
    expect(totals.events).toBeGreaterThan(2000);
    for (const [k, n] of Object.entries(totals)) expect(n, k).toBeGreaterThan(100);
  });
});
