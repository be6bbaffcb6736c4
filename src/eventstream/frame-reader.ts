// Reads AWS event-stream frames from bytes that arrive in arbitrary pieces: a read may end inside
// the 12-byte prelude, inside the headers, inside the payload or inside the message CRC. Bytes
// are held until the frame the prelude announced is complete, then decoded (CRCs checked) by
// smithy's codec. A bad prelude CRC or an impossible length fails at once, so a corrupted length
// can never make the reader wait for bytes that will not come.
import { crc32 } from 'node:zlib';
import { codec, FRAME_OVERHEAD_BYTES, headersToJson, MAX_FRAME_BYTES, PRELUDE_BYTES, type JsonHeaderValue } from './codec.ts';

export interface EventStreamFrame {
  headers: Record<string, JsonHeaderValue>;
  /** The payload bytes (a view into the bytes read; never reused). */
  payload: Buffer;
  /** Absolute offset of the frame's first byte in the stream. */
  offset: number;
  length: number;
}

/** Corrupt framing: the stream cannot be read past `offset`. */
export class EventStreamFramingError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'EventStreamFramingError';
  }
}

export interface EventStreamReader {
  /**
   * Bytes in; `onFrame` gets each frame they complete, in order. On corruption it throws
   * EventStreamFramingError (after the frames before it were handed on) and reads nothing more.
   */
  feed(chunk: Uint8Array, onFrame: (frame: EventStreamFrame) => void): void;
  /** At end of input: null when the input ended on a frame boundary, else why it is incomplete. */
  end(): EventStreamFramingError | null;
  readonly bufferedBytes: number;
}

export interface EventStreamReaderOptions {
  /** Largest frame accepted (default 16 MiB, the AWS limit). */
  maxFrameBytes?: number;
}

export function createEventStreamReader(options: EventStreamReaderOptions = {}): EventStreamReader {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let offset = 0; // stream offset of held[0][0], always the start of a frame
  let frameLength = 0; // the current frame's total length once its prelude is checked; 0 = not yet
  let failed = false;

  function fail(message: string): never {
    failed = true;
    held = [];
    heldBytes = 0;
    throw new EventStreamFramingError(`event-stream frame at byte ${offset}: ${message}`, offset);
  }

  /** The first n held bytes as one buffer (joins the held pieces only when n spans them). */
  function front(n: number): Buffer {
    if (held[0]!.length < n) held = [Buffer.concat(held, heldBytes)];
    return held[0]!.subarray(0, n);
  }

  function checkPrelude(): void {
    const prelude = front(PRELUDE_BYTES);
    const total = prelude.readUInt32BE(0);
    const headersLength = prelude.readUInt32BE(4);
    const declaredCrc = prelude.readUInt32BE(8);
    const crc = crc32(prelude.subarray(0, 8));
    if (crc !== declaredCrc) fail(`prelude CRC mismatch (frame says ${hex(declaredCrc)}, bytes give ${hex(crc)})`);
    if (total < FRAME_OVERHEAD_BYTES) fail(`declared length ${total} is shorter than the ${FRAME_OVERHEAD_BYTES}-byte frame overhead`);
    if (total > maxFrameBytes) fail(`declared length ${total} exceeds the ${maxFrameBytes}-byte limit`);
    if (headersLength > total - FRAME_OVERHEAD_BYTES) fail(`headers length ${headersLength} does not fit in a ${total}-byte frame`);
    frameLength = total;
  }

  function takeFrame(): EventStreamFrame {
    const bytes = front(frameLength);
    const first = held[0]!;
    if (first.length === frameLength) held.shift();
    else held[0] = first.subarray(frameLength);
    heldBytes -= frameLength;
    let decoded;
    try {
      decoded = codec.decode(bytes);
    } catch (err) {
      fail((err as Error).message);
    }
    const frame: EventStreamFrame = {
      headers: headersToJson(decoded.headers),
      payload: Buffer.from(decoded.body.buffer, decoded.body.byteOffset, decoded.body.byteLength),
      offset,
      length: frameLength,
    };
    offset += frameLength;
    frameLength = 0;
    return frame;
  }

  return {
    feed(chunk, onFrame) {
      if (failed || chunk.byteLength === 0) return;
      held.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      heldBytes += chunk.byteLength;
      for (;;) {
        if (frameLength === 0) {
          if (heldBytes < PRELUDE_BYTES) return;
          checkPrelude();
        }
        if (heldBytes < frameLength) return;
        onFrame(takeFrame());
      }
    },
    end() {
      if (failed || heldBytes === 0) return null;
      const want = frameLength === 0 ? `the ${PRELUDE_BYTES}-byte prelude` : `${frameLength} bytes`;
      return new EventStreamFramingError(`input ended inside the event-stream frame at byte ${offset} (${heldBytes} of ${want})`, offset);
    },
    get bufferedBytes() {
      return heldBytes;
    },
  };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Every frame of a complete body; throws on corruption or a body that ends inside a frame. */
export function readAllFrames(body: Uint8Array): EventStreamFrame[] {
  const reader = createEventStreamReader();
  const frames: EventStreamFrame[] = [];
  reader.feed(body, (f) => frames.push(f));
  const cut = reader.end();
  if (cut) throw cut;
  return frames;
}
