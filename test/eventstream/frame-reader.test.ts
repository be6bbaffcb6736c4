// The event-stream frame reader: smithy's test vectors, every read boundary (inside the prelude,
// the headers, the payload, the CRC), and every way a frame can be corrupt: a clear error naming
// the frame's byte offset, never a hang, a crash or a wait for bytes that will not come.
import { describe, expect, it } from 'vitest';
import { encodeFrame, MAX_FRAME_BYTES } from '../../src/eventstream/codec.ts';
import {
  createEventStreamReader,
  EventStreamFramingError,
  readAllFrames,
  type EventStreamFrame,
} from '../../src/eventstream/frame-reader.ts';
import { crc32 } from 'node:zlib';

function feedAll(reads: Uint8Array[]): {
  frames: { headers: unknown; payload: string; offset: number }[];
  error: EventStreamFramingError | null;
  cut: EventStreamFramingError | null;
} {
  const reader = createEventStreamReader();
  const frames: EventStreamFrame[] = [];
  let error: EventStreamFramingError | null = null;
  try {
    for (const r of reads) reader.feed(r, (f) => frames.push(f));
  } catch (err) {
    if (!(err instanceof EventStreamFramingError)) throw err;
    error = err;
  }
  return {
    frames: frames.map((f) => ({ headers: f.headers, payload: f.payload.toString('utf8'), offset: f.offset })),
    error,
    cut: error ? null : reader.end(),
  };
}

const EVENT = { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' };
const body = Buffer.concat([
  encodeFrame(
    { ':event-type': 'messageStart', ':content-type': 'application/json', ':message-type': 'event' },
    '{"p":"abcd","role":"assistant"}',
  ),
  encodeFrame(EVENT, '{"contentBlockIndex":0,"delta":{"text":"café 😀"},"p":"ab"}'),
  encodeFrame({}, ''),
  encodeFrame(EVENT, '{"contentBlockIndex":0,"delta":{"text":"!"},"p":"abcdefghij"}'),
]);

/** A prelude with a correct CRC for any declared lengths. */
function prelude(total: number, headersLength: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(total, 0);
  b.writeUInt32BE(headersLength, 4);
  b.writeUInt32BE(crc32(b.subarray(0, 8)), 8);
  return b;
}

describe('event-stream frame reader', () => {
  it("decodes smithy's empty-message test vector", () => {
    const empty = Buffer.from('000000100000000005c248eb7d98c8ff', 'hex');
    expect(readAllFrames(empty)).toEqual([{ headers: {}, payload: Buffer.alloc(0), offset: 0, length: 16 }]);
  });

  it('encodes the throttlingException frame of docs/provider-formats.md section 7d byte for byte', () => {
    const frame = encodeFrame(
      { ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' },
      '{"message":"Too many requests, please wait before trying again."}',
    );
    expect(frame.length).toBe(178);
    expect(frame.subarray(0, 12).toString('hex')).toBe('000000b2000000613590d5d3');
    expect(frame.subarray(-4).toString('hex')).toBe('e8ffb26a');
  });

  it('reads headers, payloads and offsets', () => {
    const { frames, error, cut } = feedAll([body]);
    expect(error).toBeNull();
    expect(cut).toBeNull();
    expect(frames.map((f) => f.payload)).toEqual([
      '{"p":"abcd","role":"assistant"}',
      '{"contentBlockIndex":0,"delta":{"text":"café 😀"},"p":"ab"}',
      '',
      '{"contentBlockIndex":0,"delta":{"text":"!"},"p":"abcdefghij"}',
    ]);
    expect(frames[1]!.headers).toEqual(EVENT);
    expect(frames[1]!.offset).toBe(body.readUInt32BE(0));
  });

  it('gives the same frames for every two-piece split, every three-piece split near the prelude, and one byte per read', () => {
    const whole = feedAll([body]).frames;
    for (let i = 0; i <= body.length; i++) expect(feedAll([body.subarray(0, i), body.subarray(i)]).frames, `split at ${i}`).toEqual(whole);
    const second = body.readUInt32BE(0);
    for (let i = second; i < second + 14; i++) {
      for (let j = i; j < second + 30; j++)
        expect(feedAll([body.subarray(0, i), body.subarray(i, j), body.subarray(j)]).frames).toEqual(whole);
    }
    expect(feedAll([...body].map((b) => Uint8Array.of(b))).frames).toEqual(whole);
  });

  it('holds only the bytes of the incomplete frame', () => {
    const reader = createEventStreamReader();
    const first = body.readUInt32BE(0);
    reader.feed(body.subarray(0, first + 5), () => {});
    expect(reader.bufferedBytes).toBe(5);
    const cut = reader.end();
    expect(cut?.message).toBe(`input ended inside the event-stream frame at byte ${first} (5 of the 12-byte prelude)`);
  });

  it('reports a stream cut inside a frame at end of input', () => {
    const { frames, cut } = feedAll([body.subarray(0, body.length - 3)]);
    expect(frames).toHaveLength(3);
    const last = frames[2]!.offset + 16; // the third frame is the empty one
    const lastLength = body.length - last;
    expect(cut?.offset).toBe(last);
    expect(cut?.message).toBe(`input ended inside the event-stream frame at byte ${last} (${lastLength - 3} of ${lastLength} bytes)`);
  });

  it('a corrupt message CRC is an error naming the frame offset, after the frames before it', () => {
    const bad = Buffer.from(body);
    const second = bad.readUInt32BE(0);
    bad[second + 40]! ^= 0x01; // inside the second frame's headers
    const { frames, error } = feedAll([bad]);
    expect(frames).toHaveLength(1);
    expect(error?.offset).toBe(second);
    expect(error?.message).toMatch(new RegExp(`^event-stream frame at byte ${second}: The message checksum`));
  });

  it('a corrupt prelude fails as soon as the 12 prelude bytes are in, without waiting for the declared length', () => {
    const bad = Buffer.from(body);
    bad[1] = 0x7f; // total length now ~8 MiB, prelude CRC no longer matches
    const { frames, error } = feedAll([bad.subarray(0, 12)]);
    expect(frames).toEqual([]);
    expect(error?.message).toMatch(
      /^event-stream frame at byte 0: prelude CRC mismatch \(frame says 0x[0-9a-f]{8}, bytes give 0x[0-9a-f]{8}\)$/,
    );
  });

  it('rejects impossible lengths even with a valid prelude CRC', () => {
    expect(feedAll([prelude(MAX_FRAME_BYTES + 1, 0)]).error?.message).toBe(
      `event-stream frame at byte 0: declared length ${MAX_FRAME_BYTES + 1} exceeds the ${MAX_FRAME_BYTES}-byte limit`,
    );
    expect(feedAll([prelude(15, 0)]).error?.message).toBe(
      'event-stream frame at byte 0: declared length 15 is shorter than the 16-byte frame overhead',
    );
    expect(feedAll([prelude(40, 30)]).error?.message).toBe(
      'event-stream frame at byte 0: headers length 30 does not fit in a 40-byte frame',
    );
    const limited = createEventStreamReader({ maxFrameBytes: 64 });
    expect(() => limited.feed(body, () => {})).toThrow(/exceeds the 64-byte limit/);
  });

  it('reads nothing more after a failure', () => {
    const reader = createEventStreamReader();
    expect(() => reader.feed(prelude(15, 0), () => {})).toThrow(EventStreamFramingError);
    const frames: EventStreamFrame[] = [];
    reader.feed(body, (f) => frames.push(f));
    expect(frames).toEqual([]);
    expect(reader.end()).toBeNull();
    expect(reader.bufferedBytes).toBe(0);
  });
});
