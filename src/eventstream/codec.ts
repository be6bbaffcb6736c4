// The AWS event-stream codec (application/vnd.amazon.eventstream), shared by the readers and by the
// fixture builder. Framing and CRCs are smithy's; this file only adapts its tagged headers.
import { EventStreamCodec, type MessageHeaders, type MessageHeaderValue } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Prelude (total length, headers length, prelude CRC) + message CRC. */
export const PRELUDE_BYTES = 12;
export const FRAME_OVERHEAD_BYTES = 16;
/** AWS caps an event-stream message at 16 MiB; a longer declared length is corruption. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A header value as plain JSON (for printing and for string lookups). */
export type JsonHeaderValue = string | number | boolean;

/** One frame's bytes from headers given as plain strings (the only type Bedrock sends). */
export function encodeFrame(headers: Readonly<Record<string, string>>, payload: Uint8Array | string): Buffer {
  const tagged: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) tagged[name] = { type: 'string', value };
  const body = typeof payload === 'string' ? fromUtf8(payload) : payload;
  const bytes = codec.encode({ headers: tagged, body });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function headerToJson(header: MessageHeaderValue): JsonHeaderValue {
  switch (header.type) {
    case 'string':
    case 'uuid':
      return header.value;
    case 'boolean':
      return header.value;
    case 'byte':
    case 'short':
    case 'integer':
      return header.value;
    case 'long':
      return header.value.valueOf();
    case 'timestamp':
      return header.value.toISOString();
    case 'binary':
      return Buffer.from(header.value).toString('base64');
    default: {
      const exhaustive: never = header;
      return exhaustive;
    }
  }
}

export function headersToJson(headers: MessageHeaders): Record<string, JsonHeaderValue> {
  const out: Record<string, JsonHeaderValue> = {};
  for (const [name, header] of Object.entries(headers)) out[name] = headerToJson(header);
  return out;
}
