// Byte-for-byte comparison of a gateway's output with a reviewed golden. A mismatch names the
// first differing byte, the event it falls in, and both versions of that event.
import type { ByteDiffExcerpt, CheckResult } from './result.ts';

export interface ByteDiff {
  offset: number;
  /** Index of the SSE event (blank-line separated block) that holds the offset. */
  eventIndex: number;
  expectedEvent: string;
  actualEvent: string;
}

export function firstDifference(expected: Buffer, actual: Buffer): ByteDiff | null {
  const n = Math.min(expected.length, actual.length);
  let offset = 0;
  while (offset < n && expected[offset] === actual[offset]) offset++;
  if (offset === n && expected.length === actual.length) return null;
  return {
    offset,
    eventIndex: eventIndexAt(expected, offset),
    expectedEvent: eventAt(expected, offset),
    actualEvent: eventAt(actual, offset),
  };
}

export function compareWithGolden(name: string, expected: Buffer, actual: Buffer): CheckResult {
  const diff = firstDifference(expected, actual);
  if (!diff) return { name, ok: true };
  return {
    name,
    ok: false,
    message: `output differs from golden at byte ${diff.offset} (event ${diff.eventIndex}; golden ${expected.length} bytes, output ${actual.length} bytes)`,
    detail: `golden event ${diff.eventIndex}:\n${show(diff.expectedEvent)}\noutput event ${diff.eventIndex}:\n${show(diff.actualEvent)}`,
    diff: diffExcerpt(expected, actual, diff.offset),
  };
}

/** How many bytes of context each side of the first difference the HTML report shows. */
const EXCERPT_BYTES = 1_200;

/** Both streams around `offset`: the common part starts at an event boundary when one is in reach. */
export function diffExcerpt(expected: Buffer, actual: Buffer, offset: number): ByteDiffExcerpt {
  let from = Math.max(0, offset - EXCERPT_BYTES);
  if (from > 0) {
    const window = expected.subarray(from, offset).toString('latin1');
    const m = /\r\n\r\n|\n\n|\r\r/.exec(window);
    if (m) from += m.index + m[0].length;
  }
  const tail = (b: Buffer) => b.subarray(offset, Math.min(b.length, offset + EXCERPT_BYTES)).toString('utf8');
  return {
    offset,
    from,
    common: expected.subarray(from, offset).toString('utf8'),
    expected: tail(expected),
    actual: tail(actual),
    expectedBytes: expected.length,
    actualBytes: actual.length,
  };
}

/** The most of one event a message shows: a target's event can be megabytes. */
const EVENT_MAX_BYTES = 8 * 1024;

/** The end (offset past it) of the first blank-line boundary (CRLF CRLF, LF LF, CR CR) at or after `from`, or -1. */
function nextBoundaryEnd(buf: Buffer, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) {
    const c = buf[i];
    if (c === 0x0d && buf[i + 1] === 0x0a && buf[i + 2] === 0x0d && buf[i + 3] === 0x0a) return i + 4;
    if ((c === 0x0a || c === 0x0d) && buf[i + 1] === c) return i + 2;
  }
  return -1;
}

// Both walk the buffer's bytes: no copy of the whole output as a string, whatever its size.
function eventIndexAt(buf: Buffer, offset: number): number {
  let count = 0;
  for (let end = nextBoundaryEnd(buf, 0); end >= 0 && end <= offset; end = nextBoundaryEnd(buf, end)) count++;
  return count;
}

/** The blank-line separated block of text that contains `offset` (or the tail, past the end). */
function eventAt(buf: Buffer, offset: number): string {
  let start = 0;
  for (let end = nextBoundaryEnd(buf, 0); end >= 0; end = nextBoundaryEnd(buf, end)) {
    if (end > offset) return shown(buf, start, end);
    start = end;
  }
  return start >= buf.length ? '<end of stream>' : shown(buf, start, buf.length);
}

function shown(buf: Buffer, start: number, end: number): string {
  if (end - start <= EVENT_MAX_BYTES) return buf.subarray(start, end).toString('utf8');
  return `${buf.subarray(start, start + EVENT_MAX_BYTES).toString('utf8')}… (${end - start} bytes in this event)`;
}

function show(event: string): string {
  return event === '<end of stream>'
    ? `  ${event}`
    : event
        .replace(/\r/g, '\\r')
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')
        .trimEnd();
}
