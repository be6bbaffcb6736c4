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
  /** The `event:` field, or null when the event had none (an EventSource would say "message"). */
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

export function createSseParser(handlers: SseParserHandlers, options: SseParserOptions = {}): SseParser {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE;
  const { onEvent, onRetry, onComment, onBoundary } = handlers;

  let pending: Buffer | null = null; // bytes of an incomplete line
  let pendingStart = 0; // absolute offset where the pending line starts
  let skipLF = false; // the previous read ended with CR: an LF first in the next read belongs to it
  let bomState: 'checking' | 'done' = 'checking';
  let bomHeld: Buffer | null = null;
  let offset = 0; // absolute offset of the first byte of the current read

  let dataParts: string[] = [];
  let eventType: string | null = null;
  let lastId: string | null = null;

  function dispatch(): void {
    if (dataParts.length === 0) {
      eventType = null;
      return;
    }
    const data = dataParts.length === 1 ? dataParts[0]! : dataParts.join('\n');
    const type = eventType;
    dataParts = [];
    eventType = null;
    onEvent({ type, data, id: lastId });
  }

  function processLine(buf: Buffer, start: number, end: number, endOffset: number): void {
    if (start === end) {
      dispatch();
      onBoundary?.(endOffset);
      return;
    }
    const first = buf[start]!;
    if (first === COLON) {
      onComment?.(buf.toString('utf8', start + 1, end));
      return;
    }
    // Search only this line: an unbounded indexOf would scan the rest of a large read per line.
    const rel = buf.subarray(start, end).indexOf(COLON);
    const colon = rel === -1 ? end : start + rel;
    const nameLen = colon - start;
    let valueStart = colon + 1;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    if (valueStart > end) valueStart = end;

    // Compare field names as bytes: unknown fields are never decoded.
    if (nameLen === 4 && first === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61) {
      dataParts.push(buf.toString('utf8', valueStart, end)); // data
    } else if (nameLen === 5 && first === 0x65 && isName(buf, start, 'event')) {
      eventType = buf.toString('utf8', valueStart, end);
    } else if (nameLen === 2 && first === 0x69 && buf[start + 1] === 0x64) {
      if (buf.subarray(valueStart, end).indexOf(0) === -1) lastId = buf.toString('utf8', valueStart, end); // id
    } else if (nameLen === 5 && first === 0x72 && isName(buf, start, 'retry')) {
      if (valueStart < end && allDigits(buf, valueStart, end)) {
        onRetry?.(Number(buf.toString('latin1', valueStart, end)));
      }
    }
  }

  function feedBody(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    if (skipLF) {
      if (len === 0) return;
      skipLF = false;
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
      else eol = nextLF < nextCR ? nextLF : nextCR;
      if (eol === -1) break;

      let after = eol + 1;
      if (chunk[eol] === CR) {
        if (after < len) {
          if (chunk[after] === LF) after++;
        } else {
          skipLF = true;
        }
      }
      if (pending !== null) {
        const line = Buffer.concat([pending, chunk.subarray(pos, eol)]);
        pending = null;
        checkLength(line.length, pendingStart);
        processLine(line, 0, line.length, offset + after);
      } else {
        checkLength(eol - pos, offset + pos);
        processLine(chunk, pos, eol, offset + after);
      }
      pos = after;
    }
    if (pos < len) {
      const rest = chunk.subarray(pos);
      if (pending === null) {
        pendingStart = offset + pos;
        pending = Buffer.from(rest); // copy: the caller may reuse its buffer
      } else {
        pending = Buffer.concat([pending, rest]);
      }
      checkLength(pending.length, pendingStart);
    }
  }

  function checkLength(n: number, lineStart: number): void {
    if (n > maxLine) throw new SseLineTooLongError(maxLine, lineStart);
  }

  return {
    feed(input: Uint8Array): void {
      let chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      if (bomState === 'checking') {
        // The BOM (EF BB BF) is stripped only at stream start, and may itself arrive split.
        const head = bomHeld ? Buffer.concat([bomHeld, chunk]) : chunk;
        bomHeld = null;
        if (head.length === 0) return; // an empty read: the stream has not started yet
        const n = Math.min(head.length, 3);
        if (head[0] === 0xef && (n < 2 || head[1] === 0xbb) && (n < 3 || head[2] === 0xbf)) {
          if (n < 3) {
            bomHeld = Buffer.from(head);
            return;
          }
          offset = 3;
          chunk = head.subarray(3);
        } else {
          chunk = head;
        }
        bomState = 'done';
      }
      feedBody(chunk);
      offset += chunk.length;
    },
    end(): void {
      // Held BOM prefix bytes or a partial line: an incomplete event, discarded.
      pending = null;
      bomHeld = null;
      dataParts = [];
      eventType = null;
    },
    get bufferedBytes(): number {
      return (pending?.length ?? 0) + (bomHeld?.length ?? 0);
    },
  };
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
