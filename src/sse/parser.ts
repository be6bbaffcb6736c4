// A byte-level text/event-stream parser that follows the WHATWG "event stream interpretation"
// rules exactly, for bytes that arrive in arbitrary pieces.
//
// Why bytes and not a decoded string: CR and LF never occur inside a UTF-8 multi-byte sequence,
// so splitting the raw bytes into lines and decoding each complete line gives exactly what a
// streaming decoder over the whole stream followed by line splitting would give (invalid bytes
// become U+FFFD either way), while letting us find line ends with Buffer#indexOf and skip decoding
// fields we ignore. Lines are only decoded once they are complete, so a character split across
// reads is never decoded in halves.

export interface SseEvent {
  /**
   * The `event:` field, or null when the event had none or an empty one (an EventSource would say
   * "message" for both); never the empty string.
   */
  type: string | null;
  data: string;
  /** The last event ID at dispatch time (persists across events), or null if never set. */
  id: string | null;
}

export interface SseParserHandlers {
  onEvent(event: SseEvent): void;
  /** A valid `retry:` field (ASCII digits only). */
  onRetry?(ms: number): void;
  /** A comment line; `text` is everything after the colon. */
  onComment?(text: string): void;
  /**
   * Called after every blank line (an event boundary, whether or not an event was dispatched),
   * with the absolute stream offset just past it. Passthrough forwarding uses this to cut the
   * raw bytes into whole events.
   */
  onBoundary?(offset: number): void;
}

export interface SseParserOptions {
  /** A line longer than this many bytes is an error, not unbounded buffering. */
  maxLineBytes?: number;
  /** An event whose data lines add up to more than this many bytes is an error (default 16 MiB). */
  maxEventBytes?: number;
}

/** An event that never ends (data lines with no blank line) would otherwise grow without bound. */
export class SseEventTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`SSE event with more than ${limit} bytes of data`);
    this.name = 'SseEventTooLargeError';
  }
}

export class SseLineTooLongError extends Error {
  constructor(
    readonly limit: number,
    readonly offset: number,
  ) {
    super(`SSE line longer than ${limit} bytes (line starts at byte ${offset})`);
    this.name = 'SseLineTooLongError';
  }
}

export interface SseParser {
  feed(chunk: Uint8Array): void;
  /** End of stream: an unterminated last event is discarded, as the spec says. */
  end(): void;
  /** Bytes held for an incomplete line (a gauge for memory accounting). */
  readonly bufferedBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const DEFAULT_MAX_LINE = 4 * 1024 * 1024;
const DEFAULT_MAX_EVENT = 16 * 1024 * 1024;
/** Values longer than this are decoded in pieces of this size (see decodeSegmented). */
const SEGMENT = 64 * 1024;

export function createSseParser(handlers: SseParserHandlers, options: SseParserOptions = {}): SseParser {
  return new ByteSseParser(handlers, options.maxLineBytes ?? DEFAULT_MAX_LINE, options.maxEventBytes ?? DEFAULT_MAX_EVENT);
}

// A class rather than a closure: a gateway holds one parser per open stream, and prototype methods
// keep each instance to its fields (a closure-based parser allocated ~2 KB of functions per stream).
class ByteSseParser implements SseParser {
  // An incomplete line, as the pieces of the reads it came in (copies: the caller may reuse its
  // buffers), joined once when its end arrives. Appending a piece per read and joining once keeps
  // a long line arriving in small reads linear in its length (concatenating on every read made it
  // quadratic). A line split over two reads, the usual case, is one piece and no array.
  private pending: Buffer | null = null;
  private morePending: Buffer[] | null = null;
  private pendingBytes = 0;
  private pendingStart = 0; // absolute offset where the pending line starts
  private skipLF = false; // the previous read ended with CR: an LF first in the next read belongs to it
  private checkingBom = true;
  private bomHeld: Buffer | null = null;
  private offset = 0; // absolute offset of the first byte of the current read
  // Data lines of the event being built: most events have one, so no array until a second.
  private data: string | null = null;
  private moreData: string[] | null = null;
  private dataBytes = 0; // bytes of data in the event being built
  private eventType: string | null = null;
  private lastId: string | null = null;
  private typeBytes: Buffer | null = null;
  private typeString = '';

  constructor(
    private readonly handlers: SseParserHandlers,
    private readonly maxLine: number,
    private readonly maxEvent: number,
  ) {}

  get bufferedBytes(): number {
    return this.pendingBytes + (this.bomHeld?.length ?? 0);
  }

  feed(input: Uint8Array): void {
    let chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (this.checkingBom) {
      // The BOM (EF BB BF) is stripped only at stream start, and may itself arrive split.
      const head = this.bomHeld ? Buffer.concat([this.bomHeld, chunk]) : chunk;
      this.bomHeld = null;
      if (head.length === 0) return; // an empty read: the stream has not started yet
      const n = Math.min(head.length, 3);
      if (head[0] === 0xef && (n < 2 || head[1] === 0xbb) && (n < 3 || head[2] === 0xbf)) {
        if (n < 3) {
          this.bomHeld = Buffer.from(head);
          return;
        }
        this.offset = 3;
        chunk = head.subarray(3);
      } else {
        chunk = head;
      }
      this.checkingBom = false;
    }
    this.feedBody(chunk);
    this.offset += chunk.length;
  }

  end(): void {
    // Held BOM prefix bytes or a partial line: an incomplete event, discarded.
    this.pending = null;
    this.morePending = null;
    this.pendingBytes = 0;
    this.bomHeld = null;
    this.data = null;
    this.moreData = null;
    this.eventType = null;
  }

  private feedBody(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    if (this.skipLF) {
      if (len === 0) return;
      this.skipLF = false;
      if (chunk[0] === LF) pos = 1;
    }
    // Cached positions of the next CR and LF; -2 means "not searched yet".
    let nextLF = -2;
    let nextCR = -2;
    while (pos < len) {
      if (nextLF !== -1 && nextLF < pos) nextLF = chunk.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf(CR, pos);
      let eol: number;
      if (nextLF === -1) eol = nextCR;
      else if (nextCR === -1) eol = nextLF;
      else eol = Math.min(nextLF, nextCR);
      if (eol === -1) break;

      let after = eol + 1;
      if (chunk[eol] === CR) {
        if (after < len) {
          if (chunk[after] === LF) after++;
        } else {
          this.skipLF = true;
        }
      }
      if (this.pending !== null) {
        const length = this.pendingBytes + (eol - pos);
        this.checkLength(length, this.pendingStart);
        const line =
          this.morePending === null
            ? Buffer.concat([this.pending, chunk.subarray(pos, eol)])
            : this.joinPieces(chunk.subarray(pos, eol), length);
        this.pending = null;
        this.pendingBytes = 0;
        this.processLine(line, 0, line.length, this.offset + after);
      } else {
        this.checkLength(eol - pos, this.offset + pos);
        this.processLine(chunk, pos, eol, this.offset + after);
      }
      pos = after;
    }
    if (pos < len) {
      const rest = Buffer.from(chunk.subarray(pos)); // copy: the caller may reuse its buffer
      if (this.pending === null) {
        this.pendingStart = this.offset + pos;
        this.pending = rest;
      } else {
        (this.morePending ??= []).push(rest);
      }
      this.pendingBytes += rest.length;
      this.checkLength(this.pendingBytes, this.pendingStart);
    }
  }

  /** A line that came in three or more reads: every piece joined once. */
  private joinPieces(last: Buffer, length: number): Buffer {
    const pieces = this.morePending!;
    this.morePending = null;
    pieces.unshift(this.pending!);
    pieces.push(last);
    return Buffer.concat(pieces, length);
  }

  private checkLength(n: number, lineStart: number): void {
    if (n > this.maxLine) throw new SseLineTooLongError(this.maxLine, lineStart);
  }

  private dispatch(): void {
    const first = this.data;
    const type = this.eventType;
    this.eventType = null;
    if (first === null) return;
    const data = this.moreData === null ? first : [first, ...this.moreData].join('\n');
    this.data = null;
    this.moreData = null;
    this.handlers.onEvent({ type, data, id: this.lastId });
  }

  /** Streams repeat a few event types: the last one's string is reused when the bytes match. */
  private eventTypeOf(buf: Buffer, start: number, end: number): string {
    const cached = this.typeBytes;
    if (cached !== null && cached.length === end - start) {
      let same = true;
      for (let i = 0; i < cached.length; i++) {
        if (cached[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.typeString;
    }
    this.typeBytes = Buffer.from(buf.subarray(start, end));
    this.typeString = buf.utf8Slice(start, end);
    return this.typeString;
  }

  private processLine(buf: Buffer, start: number, end: number, endOffset: number): void {
    if (start === end) {
      this.dispatch();
      this.handlers.onBoundary?.(endOffset);
      return;
    }
    const first = buf[start]!;
    if (first === COLON) {
      this.handlers.onComment?.(buf.toString('utf8', start + 1, end));
      return;
    }
    // Field names are short: a byte loop over this line only (never past it).
    let colon = start + 1;
    while (colon < end && buf[colon] !== COLON) colon++;
    const nameLen = colon - start;
    let valueStart = colon + 1;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    if (valueStart > end) valueStart = end;

    // Compare field names as bytes: unknown fields are never decoded.
    if (nameLen === 4 && first === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61) {
      const value = end - valueStart > SEGMENT ? decodeSegmented(buf, valueStart, end) : buf.utf8Slice(valueStart, end); // data
      if (this.data === null) {
        this.data = value;
        this.dataBytes = end - valueStart;
        if (this.dataBytes > this.maxEvent) throw new SseEventTooLargeError(this.maxEvent);
      } else {
        this.dataBytes += end - valueStart + 1;
        if (this.dataBytes > this.maxEvent) throw new SseEventTooLargeError(this.maxEvent);
        (this.moreData ??= []).push(value);
      }
    } else if (nameLen === 5 && first === 0x65 && isName(buf, start, 'event')) {
      // An empty value (`event:`, `event: `, a bare `event`) leaves the type buffer empty, which
      // dispatches as the default type: the same as no event field at all.
      this.eventType = valueStart < end ? this.eventTypeOf(buf, valueStart, end) : null;
    } else if (nameLen === 2 && first === 0x69 && buf[start + 1] === 0x64) {
      if (!hasNul(buf, valueStart, end)) this.lastId = buf.utf8Slice(valueStart, end); // id
    } else if (nameLen === 5 && first === 0x72 && isName(buf, start, 'retry')) {
      if (valueStart < end && allDigits(buf, valueStart, end)) {
        this.handlers.onRetry?.(Number(buf.latin1Slice(valueStart, end)));
      }
    }
  }
}

declare module 'node:buffer' {
  // Node's own per-encoding slicers (what toString calls after checking its arguments); typed here
  // because @types/node leaves them out.
  interface Buffer {
    utf8Slice(start: number, end: number): string;
    latin1Slice(start: number, end: number): string;
  }
}

/**
 * UTF-8 bytes to a string in SEGMENT-byte pieces, each cut before a byte that starts a character,
 * joined: the same string as one utf8Slice (a decoder is back in its initial state at any byte that
 * is not a continuation byte, 10xxxxxx, so decoding stops and restarts there change nothing), but
 * V8 decodes a megabyte-long value about three times faster in cache-sized pieces.
 */
function decodeSegmented(buf: Buffer, start: number, end: number): string {
  let out = '';
  let from = start;
  while (end - from > SEGMENT) {
    let cut = from + SEGMENT;
    // Back up over at most three continuation bytes to the start of the character. Four in a row
    // cannot all belong to one character, so the byte at the cut is then a stray one: cut there.
    let back = cut;
    while (back > cut - 3 && (buf[back]! & 0xc0) === 0x80) back--;
    if ((buf[back]! & 0xc0) !== 0x80) cut = back;
    out += buf.utf8Slice(from, cut);
    from = cut;
  }
  return out + buf.utf8Slice(from, end);
}

function hasNul(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0) return true;
  return false;
}

function isName(buf: Buffer, start: number, name: string): boolean {
  for (let i = 1; i < name.length; i++) if (buf[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

function allDigits(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
