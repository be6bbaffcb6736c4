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
  return new FrameReader(options.maxFrameBytes ?? MAX_FRAME_BYTES);
}

// A class rather than a closure: a gateway holds one reader per open Bedrock stream, and prototype
// methods keep each instance to its fields. Held bytes are one buffer plus, only while a frame
// spans reads, a list of the later reads (joined once the frame is complete).
class FrameReader implements EventStreamReader {
  private head: Buffer | null = null; // the first held bytes: always the start of a frame
  private tail: Buffer[] | null = null; // reads held after `head`, while a frame is incomplete
  private headSliced = false; // `head` is what is left of a read after its frames were taken
  private heldBytes = 0;
  private offset = 0; // stream offset of head[0], always the start of a frame
  private frameLength = 0; // the current frame's total length once its prelude is checked; 0 = not yet
  private failed = false;

  constructor(private readonly maxFrameBytes: number) {}

  get bufferedBytes(): number {
    return this.heldBytes;
  }

  feed(chunk: Uint8Array, onFrame: (frame: EventStreamFrame) => void): void {
    if (this.failed || chunk.byteLength === 0) return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.head === null) {
      this.head = bytes;
      this.headSliced = false;
    } else {
      (this.tail ??= []).push(bytes);
    }
    this.heldBytes += chunk.byteLength;
    for (;;) {
      if (this.frameLength === 0) {
        if (this.heldBytes < PRELUDE_BYTES) break;
        this.checkPrelude();
      }
      if (this.heldBytes < this.frameLength) break;
      onFrame(this.takeFrame());
    }
    // The rest of a read after its frames: copied, so a few held bytes never keep a whole read alive.
    if (this.headSliced && this.head !== null) {
      this.head = Buffer.from(this.head);
      this.headSliced = false;
    }
  }

  end(): EventStreamFramingError | null {
    if (this.failed || this.heldBytes === 0) return null;
    const want = this.frameLength === 0 ? `the ${PRELUDE_BYTES}-byte prelude` : `${this.frameLength} bytes`;
    return new EventStreamFramingError(
      `input ended inside the event-stream frame at byte ${this.offset} (${this.heldBytes} of ${want})`,
      this.offset,
    );
  }

  private fail(message: string): never {
    this.failed = true;
    this.head = null;
    this.tail = null;
    this.heldBytes = 0;
    throw new EventStreamFramingError(`event-stream frame at byte ${this.offset}: ${message}`, this.offset);
  }

  /** The first n held bytes as one buffer (joins the held pieces only when n spans them). */
  private front(n: number): Buffer {
    let head = this.head!;
    if (head.length < n) {
      head = this.tail === null ? head : Buffer.concat([head, ...this.tail], this.heldBytes);
      this.head = head;
      this.tail = null;
    }
    return head.subarray(0, n);
  }

  private checkPrelude(): void {
    const prelude = this.front(PRELUDE_BYTES);
    const total = prelude.readUInt32BE(0);
    const headersLength = prelude.readUInt32BE(4);
    const declaredCrc = prelude.readUInt32BE(8);
    const crc = crc32(prelude.subarray(0, 8));
    if (crc !== declaredCrc) this.fail(`prelude CRC mismatch (frame says ${hex(declaredCrc)}, bytes give ${hex(crc)})`);
    if (total < FRAME_OVERHEAD_BYTES) this.fail(`declared length ${total} is shorter than the ${FRAME_OVERHEAD_BYTES}-byte frame overhead`);
    if (total > this.maxFrameBytes) this.fail(`declared length ${total} exceeds the ${this.maxFrameBytes}-byte limit`);
    if (headersLength > total - FRAME_OVERHEAD_BYTES) this.fail(`headers length ${headersLength} does not fit in a ${total}-byte frame`);
    this.frameLength = total;
  }

  private takeFrame(): EventStreamFrame {
    const frameLength = this.frameLength;
    const bytes = this.front(frameLength);
    const head = this.head!;
    if (head.length === frameLength) {
      const next = this.tail?.shift();
      this.head = next ?? null;
      this.headSliced = false;
      if (this.tail !== null && this.tail.length === 0) this.tail = null;
    } else {
      this.head = head.subarray(frameLength);
      this.headSliced = true;
    }
    this.heldBytes -= frameLength;
    let decoded: ReturnType<typeof codec.decode>;
    try {
      decoded = codec.decode(bytes);
    } catch (err) {
      this.fail((err as Error).message);
    }
    const frame: EventStreamFrame = {
      headers: headersToJson(decoded.headers),
      payload: Buffer.from(decoded.body.buffer, decoded.body.byteOffset, decoded.body.byteLength),
      offset: this.offset,
      length: frameLength,
    };
    this.offset += frameLength;
    this.frameLength = 0;
    return frame;
  }
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
