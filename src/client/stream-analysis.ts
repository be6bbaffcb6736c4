// Timings of one stream from its stamped reads (a pure function of captured data). Each read was
// stamped when it arrived, before anything parsed it; here every read is decoded in order and the
// events it completed take its stamp. Events are canonical events (the provider-neutral model),
// so the same definitions hold for a gateway's OpenAI output and for any provider's native stream.
import type { CanonicalEvent } from '../canonical/events.ts';
import type { StreamDecoder } from '../providers/types.ts';

export interface StampedRead {
  /** process.hrtime.bigint() when the read arrived. */
  at: bigint;
  bytes: Buffer;
}

export interface StreamTimings {
  /** ns from the origin (request written, or its intended start in open loop) to the response head. */
  ttfbNs: number | null;
  /** … to the read that completed the first event (comments are not events). */
  ttfeNs: number | null;
  /** … to the read that completed the first content event (text, reasoning, refusal, tool-call data). */
  ttftNs: number | null;
  /** … to the last read of the body (the stream's end). */
  e2eNs: number | null;
  /** Gaps between consecutive content events, ns (0 when they arrived in the same read). */
  itlNs: number[];
  /** (E2E − TTFT) / (n − 1), ns; null below two content events. */
  tpotNs: number | null;
  /** Content events ("tokens": one per content event, as most providers send one token each). */
  contentEvents: number;
  /** Canonical events decoded, comments excluded. */
  events: number;
  bytes: number;
  /** Gaps between reads (or head → first read) longer than the stall limit. */
  stalls: number;
  /** The first error event in the stream (a gateway's mid-stream error or a truncation), if any. */
  errorEvent: { kind: string; message: string } | null;
  /** Text deltas in order (kept only when asked, for sequence checks). */
  texts?: string[];
}

export interface AnalyzeOptions {
  origin: bigint;
  /** When the response head arrived (null if it never did). */
  headAt: bigint | null;
  reads: readonly StampedRead[];
  decoder: StreamDecoder;
  stallNs: number;
  keepTexts?: boolean;
}

const CONTENT = new Set<CanonicalEvent['type']>(['text-delta', 'reasoning-delta', 'refusal-delta', 'tool-call-start', 'tool-call-delta']);

export function isContentEvent(e: CanonicalEvent): boolean {
  if (!CONTENT.has(e.type)) return false;
  if (e.type === 'tool-call-start') return true;
  if (e.type === 'tool-call-delta') return e.arguments !== '';
  return (e as { text: string }).text !== '';
}

export function analyzeStream(options: AnalyzeOptions): StreamTimings {
  const { origin, headAt, reads, decoder, stallNs } = options;
  const since = (t: bigint) => Number(t - origin);
  const out: CanonicalEvent[] = [];
  const itlNs: number[] = [];
  const texts: string[] | undefined = options.keepTexts ? [] : undefined;
  let ttfeNs: number | null = null;
  let ttftNs: number | null = null;
  let lastContentAt: bigint | null = null;
  let contentEvents = 0;
  let events = 0;
  let bytes = 0;
  let stalls = 0;
  let errorEvent: StreamTimings['errorEvent'] = null;
  let previous = headAt;

  const take = (at: bigint) => {
    for (const e of out) {
      if (e.type === 'comment') continue;
      events++;
      if (ttfeNs === null) ttfeNs = since(at);
      if (e.type === 'error' && errorEvent === null) errorEvent = { kind: e.kind, message: e.message };
      if (texts && e.type === 'text-delta') texts.push(e.text);
      if (!isContentEvent(e)) continue;
      contentEvents++;
      if (ttftNs === null) ttftNs = since(at);
      if (lastContentAt !== null) itlNs.push(Number(at - lastContentAt));
      lastContentAt = at;
    }
    out.length = 0;
  };

  for (const read of reads) {
    bytes += read.bytes.length;
    if (previous !== null && Number(read.at - previous) > stallNs) stalls++;
    previous = read.at;
    decoder.feed(read.bytes, out);
    take(read.at);
  }
  const last = reads.length > 0 ? reads[reads.length - 1]!.at : headAt;
  if (headAt !== null) {
    decoder.end(out);
    take(last ?? headAt);
  }
  const e2eNs = last !== null ? since(last) : null;
  const tpotNs = ttftNs !== null && e2eNs !== null && contentEvents > 1 ? (e2eNs - ttftNs) / (contentEvents - 1) : null;
  return {
    ttfbNs: headAt !== null ? since(headAt) : null,
    ttfeNs,
    ttftNs,
    e2eNs,
    itlNs,
    tpotNs,
    contentEvents,
    events,
    bytes,
    stalls,
    errorEvent,
    ...(texts ? { texts } : {}),
  };
}
