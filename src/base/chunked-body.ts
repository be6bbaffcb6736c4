// Writing a streamed HTTP/1.1 response body with one socket write per chunk. node:http frames
// every res.write() as four writes (size, CRLF, data, CRLF) corked into one writev on the next
// tick; under 1,000 streams that machinery, not the data, was the largest cost per event of the
// gateway and the replay upstream. Once the headers are out and the response owns its socket, the
// chunk is framed here and written straight to the socket; res.end() still writes the last-chunk,
// so keep-alive, 'finish' and the next request on the connection stay node's business. Where that
// does not hold (HTTP/1.0 with no chunking, headers not yet sent, a pipelined response waiting for
// its turn) every write goes through res.write as before.
import type { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { drainedOrClosed } from './drained.ts';

export interface BodyWriter {
  /** Writes one chunk of the body now, in one write. False: the peer is slow; wait for `drained()`. */
  write(bytes: string | Buffer): boolean;
  /** True while the peer has not taken what was written (a write now would only queue). */
  readonly needsDrain: boolean;
  /** Settles once what was queued is taken, or the connection is gone. */
  drained(): Promise<void>;
}

/** A body writer for `res`, whose headers must already be sent (`flushHeaders()`). */
export function bodyWriter(res: ServerResponse): BodyWriter {
  const socket = res.socket;
  // The response owns its socket and nothing of it is still queued inside node:http (what
  // node queues before a socket is assigned would otherwise go out after our writes).
  const direct = res.headersSent && res.chunkedEncoding && socket !== null && res.writableLength === socket.writableLength;
  const out: Writable = direct ? socket : res;
  return {
    write: direct
      ? (bytes) => (bytes.length === 0 ? true : socket.write(frameChunk(bytes)))
      : (bytes) => (bytes.length === 0 ? true : res.write(bytes)),
    get needsDrain() {
      return out.writableNeedDrain;
    },
    drained: () => drainedOrClosed(out),
  };
}

const CRLF = 0x0a0d; // "\r\n" as a little-endian uint16

/** One chunk of a chunked body: size in hex, CRLF, the bytes, CRLF (RFC 9112 §7.1). Not for empty bytes. */
export function frameChunk(bytes: string | Buffer): string | Buffer {
  if (typeof bytes === 'string') return `${Buffer.byteLength(bytes, 'utf8').toString(16)}\r\n${bytes}\r\n`;
  const size = bytes.length.toString(16);
  const framed = Buffer.allocUnsafe(size.length + bytes.length + 4);
  framed.write(size, 0, 'latin1');
  framed.writeUInt16LE(CRLF, size.length);
  bytes.copy(framed, size.length + 2);
  framed.writeUInt16LE(CRLF, framed.length - 2);
  return framed;
}
