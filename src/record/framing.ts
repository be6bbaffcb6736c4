// Bodies without their reads (a HAR file, a raw dump) cut into one chunk per event, and parsed
// chunk objects (a JSON-lines dump) encoded back in the provider's framing: SSE as each dialect
// writes it, AWS event-stream frames for Bedrock, one JSON body for Straico.
import { encodeFrame, EventStreamFramingError, readAllFrames } from '../eventstream/index.ts';
import { createSseParser, SseLineTooLongError } from '../sse/parser.ts';
import { isJsonObject, type JsonObject } from '../base/json.ts';
import type { ProviderDescriptor } from '../providers/types.ts';

export type Framing = 'sse' | 'eventstream' | 'json';

/** A body that cannot be cut as its framing says: where (a line for text, a byte for binary) and why. */
export class FramingProblem extends Error {
  constructor(
    readonly line: number | null,
    readonly byte: number,
    message: string,
  ) {
    super(message);
  }
}

/** The framing of a response body, from its content type, else the provider's. */
export function framingOf(provider: ProviderDescriptor, contentType: string | undefined, status: number): Framing {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/vnd.amazon.eventstream')) return 'eventstream';
  if (type.includes('text/event-stream')) return 'sse';
  if (type.includes('json') || status < 200 || status >= 300) return 'json';
  return provider.fuzz.framing;
}

/** The body cut after every event (SSE blank line, event-stream frame); the rest, if any, is the last piece. */
export function cutPerEvent(body: Buffer, framing: Framing, maxLineBytes = 4 * 1024 * 1024): Buffer[] {
  if (body.length === 0) return [];
  const ends: number[] = [];
  if (framing === 'sse') {
    const parser = createSseParser({ onEvent: () => undefined, onBoundary: (offset) => void ends.push(offset) }, { maxLineBytes });
    try {
      parser.feed(body);
    } catch (err) {
      if (err instanceof SseLineTooLongError) throw new FramingProblem(lineOfByte(body, err.offset), err.offset, err.message);
      throw err;
    }
  } else if (framing === 'eventstream') {
    try {
      for (const frame of readAllFrames(body)) ends.push(frame.offset + frame.length);
    } catch (err) {
      if (err instanceof EventStreamFramingError) throw new FramingProblem(null, err.offset, `event-stream framing: ${err.message}`);
      throw err;
    }
  }
  const pieces: Buffer[] = [];
  let start = 0;
  for (const end of ends) {
    if (end > start) pieces.push(body.subarray(start, end));
    start = end;
  }
  if (start < body.length) pieces.push(body.subarray(start));
  return pieces;
}

function lineOfByte(body: Buffer, offset: number): number {
  let line = 1;
  for (let i = body.indexOf(0x0a); i !== -1 && i < offset; i = body.indexOf(0x0a, i + 1)) line++;
  return line;
}

/** One parsed chunk (a JSON object) or the OpenAI terminator, with the line it came from. */
export interface ChunkLine {
  line: number;
  value: JsonObject | '[DONE]';
}

/**
 * Chunk objects as the provider's upstream writes them, one event each. Returns the events and,
 * for dialects with a terminator the lines did not include, the terminator appended (unless
 * `terminate` is false). Throws FramingProblem (with the line) for an object the dialect cannot carry.
 */
export function encodeChunks(provider: ProviderDescriptor, lines: readonly ChunkLine[], terminate: boolean): Buffer[] {
  const name = provider.name;
  const out: Buffer[] = [];
  const problem = (l: ChunkLine, message: string) => new FramingProblem(l.line, 0, message);
  if (provider.fuzz.framing === 'json') {
    if (lines.length !== 1 || lines[0]!.value === '[DONE]')
      throw problem(
        lines[1] ?? lines[0] ?? { line: 1, value: '[DONE]' },
        `${provider.displayName} answers with one JSON body: give exactly one object`,
      );
    return [Buffer.from(JSON.stringify(lines[0]!.value))];
  }
  for (const l of lines) {
    const v = l.value;
    if (v === '[DONE]') {
      if (!provider.supportsPassthrough) throw problem(l, `"[DONE]" is not part of the ${provider.displayName} stream`);
      out.push(Buffer.from('data: [DONE]\n\n'));
      continue;
    }
    if (name === 'bedrock')
      out.push(
        converseFrame(v, () => problem(l, 'a ConverseStream event is one key (messageStart, contentBlockDelta, …) holding its payload')),
      );
    else if (name === 'bedrock-invoke') out.push(invokeFrame(v));
    else if (provider.supportsPassthrough) out.push(Buffer.from(`data: ${JSON.stringify(v)}\n\n`));
    else if (name === 'gemini' || name === 'vertex-gemini') out.push(Buffer.from(`data: ${JSON.stringify(v)}\r\n\r\n`));
    else {
      // Typed SSE dialects (Anthropic Messages, the Responses API): the event name is the object's type.
      if (typeof v['type'] !== 'string') throw problem(l, `${provider.displayName} events need a string "type"`);
      out.push(Buffer.from(`event: ${v['type']}\ndata: ${JSON.stringify(v)}\n\n`));
    }
  }
  const terminated = lines.some((l) => l.value === '[DONE]');
  if (terminate && provider.supportsPassthrough && !terminated) out.push(Buffer.from('data: [DONE]\n\n'));
  return out;
}

const EVENT_HEADERS = { ':content-type': 'application/json', ':message-type': 'event' };

/** {"contentBlockDelta": {...}} → a frame named by the key; {"throttlingException": {...}} → an exception frame. */
function converseFrame(v: JsonObject, problem: () => Error): Buffer {
  const keys = Object.keys(v);
  const payload = v[keys[0]!];
  if (keys.length !== 1 || !isJsonObject(payload)) throw problem();
  const type = keys[0]!;
  if (/Exception$/.test(type)) {
    return encodeFrame(
      { ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' },
      JSON.stringify(payload),
    );
  }
  return encodeFrame({ ':event-type': type, ...EVENT_HEADERS }, JSON.stringify(payload));
}

/** A Claude event (or an InvokeModel {chunk: {bytes}} object) → a `chunk` frame with the event base64 in `bytes`. */
function invokeFrame(v: JsonObject): Buffer {
  const chunk = v['chunk'];
  const bytes =
    isJsonObject(chunk) && typeof chunk['bytes'] === 'string' ? chunk['bytes'] : Buffer.from(JSON.stringify(v)).toString('base64');
  return encodeFrame({ ':event-type': 'chunk', ...EVENT_HEADERS }, JSON.stringify({ bytes }));
}
