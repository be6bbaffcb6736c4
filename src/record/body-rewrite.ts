// Redacting a recorded response body without losing its reads: the body is rewritten as a whole
// (so a secret cut across two reads is still found), then the read boundaries are carried over to
// the new bytes. Text bodies (SSE, JSON) are rewritten as text; AWS event-stream bodies frame by
// frame (the JSON payload, and the base64 Claude event inside InvokeModel `chunk` frames), each
// changed frame re-encoded with its length and CRCs, so the body stays a valid event stream.
import { encodeFrame, readAllFrames, type EventStreamFrame } from '../eventstream/index.ts';
import { isJsonObject, parseJson } from '../base/json.ts';
import { REDACTED, redactText, secretSpans } from './redact.ts';

export interface Read {
  bytes: Buffer;
  /** Milliseconds from the response head. */
  at: number;
}

/** One stretch of the old body and where it went in the new one. */
interface Segment {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
  /** A rewritten frame keeps boundaries at their offset inside it; a replaced text span moves them past itself. */
  keepOffset: boolean;
}

export interface RewrittenReads {
  reads: Read[];
  /** True when any byte changed. */
  changed: boolean;
}

/** The reads with secrets redacted, cut where the original reads were cut (empty reads dropped). */
export function redactReads(reads: readonly Read[], eventStream: boolean, userPatterns: readonly RegExp[]): RewrittenReads {
  const body = Buffer.concat(reads.map((r) => r.bytes));
  const rewritten = eventStream ? rewriteEventStream(body, userPatterns) : rewriteText(body, userPatterns);
  if (rewritten === null) return { reads: [...reads], changed: false };
  const { bytes, segments } = rewritten;
  const out: Read[] = [];
  let oldStart = 0;
  let newStart = 0;
  for (const r of reads) {
    const oldEnd = oldStart + r.bytes.length;
    const newEnd = oldEnd === body.length ? bytes.length : remap(oldEnd, segments);
    if (newEnd > newStart) out.push({ bytes: bytes.subarray(newStart, newEnd), at: r.at });
    oldStart = oldEnd;
    newStart = Math.max(newStart, newEnd);
  }
  return { reads: out, changed: true };
}

function remap(offset: number, segments: readonly Segment[]): number {
  for (const s of segments) {
    if (offset > s.oldEnd) continue;
    if (offset === s.oldEnd) return s.newEnd;
    if (offset <= s.oldStart) return s.newStart;
    return s.keepOffset ? s.newStart + Math.min(offset - s.oldStart, s.newEnd - s.newStart) : s.newEnd;
  }
  return segments.at(-1)?.newEnd ?? offset;
}

/** Text as its bytes decode: UTF-8 when the body is valid UTF-8, else one char per byte. */
function decodeText(body: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  const utf8 = body.toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(body) ? { text: utf8, encoding: 'utf8' } : { text: body.toString('latin1'), encoding: 'latin1' };
}

function rewriteText(body: Buffer, userPatterns: readonly RegExp[]): { bytes: Buffer; segments: Segment[] } | null {
  const { text, encoding } = decodeText(body);
  const spans = secretSpans(text, userPatterns);
  if (spans.length === 0) return null;
  const marker = Buffer.from(REDACTED, encoding);
  const parts: Buffer[] = [];
  const segments: Segment[] = [];
  let pos = 0; // string index
  let oldByte = 0;
  let newByte = 0;
  const keep = (to: number) => {
    const piece = Buffer.from(text.slice(pos, to), encoding);
    if (piece.length > 0) {
      parts.push(piece);
      segments.push({
        oldStart: oldByte,
        oldEnd: oldByte + piece.length,
        newStart: newByte,
        newEnd: newByte + piece.length,
        keepOffset: true,
      });
      oldByte += piece.length;
      newByte += piece.length;
    }
    pos = to;
  };
  for (const span of spans) {
    keep(span.start);
    const oldLength = Buffer.byteLength(text.slice(span.start, span.end), encoding);
    parts.push(marker);
    segments.push({
      oldStart: oldByte,
      oldEnd: oldByte + oldLength,
      newStart: newByte,
      newEnd: newByte + marker.length,
      keepOffset: false,
    });
    oldByte += oldLength;
    newByte += marker.length;
    pos = span.end;
  }
  keep(text.length);
  return { bytes: Buffer.concat(parts), segments };
}

function rewriteEventStream(body: Buffer, userPatterns: readonly RegExp[]): { bytes: Buffer; segments: Segment[] } | null {
  let frames: EventStreamFrame[];
  try {
    frames = readAllFrames(body);
  } catch {
    // Broken framing: the bytes stay as they are (the final scan still guards them).
    return null;
  }
  const parts: Buffer[] = [];
  const segments: Segment[] = [];
  let newByte = 0;
  let changed = false;
  let end = 0;
  for (const frame of frames) {
    const original = body.subarray(frame.offset, frame.offset + frame.length);
    const rewritten = rewriteFrame(frame, userPatterns) ?? original;
    if (rewritten !== original) changed = true;
    parts.push(rewritten);
    segments.push({
      oldStart: frame.offset,
      oldEnd: frame.offset + frame.length,
      newStart: newByte,
      newEnd: newByte + rewritten.length,
      keepOffset: true,
    });
    newByte += rewritten.length;
    end = frame.offset + frame.length;
  }
  if (end < body.length) {
    // An unfinished last frame (a cut stream) stays as it is.
    parts.push(body.subarray(end));
    segments.push({ oldStart: end, oldEnd: body.length, newStart: newByte, newEnd: newByte + body.length - end, keepOffset: true });
  }
  return changed ? { bytes: Buffer.concat(parts), segments } : null;
}

/** The frame re-encoded with its payload redacted, or null when nothing in it changes. */
function rewriteFrame(frame: EventStreamFrame, userPatterns: readonly RegExp[]): Buffer | null {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(frame.headers)) {
    if (typeof value !== 'string') return null; // only string headers can be re-encoded as they were
    headers[name] = value;
  }
  const payload = frame.payload.toString('utf8');
  if (!Buffer.from(payload, 'utf8').equals(frame.payload)) return null;
  let next = redactText(payload, userPatterns);
  // InvokeModel: a Claude event, base64, in the `bytes` field.
  const parsed = parseJson(next);
  if (isJsonObject(parsed) && typeof parsed['bytes'] === 'string') {
    const inner = Buffer.from(parsed['bytes'], 'base64').toString('utf8');
    const redacted = redactText(inner, userPatterns);
    if (redacted !== inner) {
      parsed['bytes'] = Buffer.from(redacted, 'utf8').toString('base64');
      next = JSON.stringify(parsed);
    }
  }
  return next === payload ? null : encodeFrame(headers, next);
}
