// requests.jsonl: one JSON line per measured request of every load phase, for analysis outside
// streamproof. Lines are appended to the file as streams are analysed, through a small buffer
// flushed with a synchronous write: the analysis that produces them is synchronous, so a stream
// with backpressure could not be awaited there, and an unawaited one would grow without bound on
// a slow disk. A bounded buffer and an append keep memory flat however large the run.
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, renameSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import type { StreamRecord } from '../checks/stream-check.ts';

export const REQUESTS_FILE = 'requests.jsonl';

/** What the load model and the driver knew about one request, beside its analysed stream. */
export interface RequestMeta {
  /** Intended start, ns after the phase's start. */
  offsetNs: number;
  /** Actual start − intended start, ns (about 0 in a closed loop, where a request starts when it is meant to). */
  scheduleDelayNs: number;
  /** HTTP status (0 when no response head arrived). */
  status: number;
  /** The label of the stream source that sent it. */
  source: string;
}

/** Where a line's request belongs: its scenario, case, phase and (sharded runs) shard. */
export interface RequestPlace {
  scenario: string;
  case: string;
  /** direct, null-proxy, gateway, calibration, or step (a sweep step; `step` and `step_value` say which). */
  phase: string;
  /** `repeat: N`: which run (1-based). */
  repeat?: number;
  round?: number;
  step?: number;
  stepValue?: number;
  shard?: number;
}

export interface RequestLine {
  scenario: string;
  case: string;
  phase: string;
  repeat?: number;
  round?: number;
  step?: number;
  step_value?: number;
  shard?: number;
  intended_start_ms: number;
  schedule_delay_ms: number;
  ttfb_ms: number | null;
  ttft_ms: number | null;
  e2e_ms: number | null;
  itl: { count: number; p50_ms: number | null; p95_ms: number | null; max_ms: number | null };
  tokens: number;
  events: number;
  bytes: number;
  status: number;
  error: string | null;
  cut: boolean;
}

export type OnStream = (record: StreamRecord, origin: bigint, end: bigint, meta: RequestMeta) => void;

export interface RequestLog {
  readonly file: string;
  /** Lines written so far. */
  readonly lines: number;
  write(line: RequestLine): void;
  /** Flushes and closes the file (idempotent). */
  close(): void;
}

/** Bytes held before a write to the file. */
const BUFFER_BYTES = 64 * 1024;

/** Opens (truncating) the file and appends lines to it through a bounded buffer. */
export function openRequestLog(file: string): RequestLog {
  const fd = openSync(file, 'w');
  let chunks: string[] = [];
  let held = 0;
  let lines = 0;
  let closed = false;
  const flush = () => {
    if (chunks.length === 0) return;
    writeSync(fd, chunks.join(''));
    chunks = [];
    held = 0;
  };
  return {
    file,
    get lines() {
      return lines;
    },
    write(line) {
      if (closed) throw new Error(`${file}: written after close`);
      const text = `${JSON.stringify(line)}\n`;
      chunks.push(text);
      held += text.length;
      lines++;
      if (held >= BUFFER_BYTES) flush();
    },
    close() {
      if (closed) return;
      closed = true;
      flush();
      closeSync(fd);
    },
  };
}

const ms = (ns: number | null) => (ns === null ? null : Math.round(ns / 1e3) / 1e3);

/** Nearest-rank percentile of sorted values. */
function rank(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function requestLine(place: RequestPlace, record: StreamRecord, meta: RequestMeta): RequestLine {
  const t = record.timings;
  const itl = [...t.itlNs].sort((a, b) => a - b);
  return {
    scenario: place.scenario,
    case: place.case,
    phase: place.phase,
    ...(place.repeat !== undefined ? { repeat: place.repeat } : {}),
    ...(place.round !== undefined ? { round: place.round } : {}),
    ...(place.step !== undefined ? { step: place.step, step_value: place.stepValue } : {}),
    ...(place.shard !== undefined ? { shard: place.shard } : {}),
    intended_start_ms: ms(meta.offsetNs)!,
    schedule_delay_ms: ms(Math.max(0, meta.scheduleDelayNs))!,
    ttfb_ms: ms(t.ttfbNs),
    ttft_ms: ms(t.ttftNs),
    e2e_ms: ms(t.e2eNs),
    itl: {
      count: itl.length,
      p50_ms: itl.length ? ms(rank(itl, 50)) : null,
      p95_ms: itl.length ? ms(rank(itl, 95)) : null,
      max_ms: itl.length ? ms(itl[itl.length - 1]!) : null,
    },
    tokens: t.contentEvents,
    events: t.events,
    bytes: t.bytes,
    status: meta.status,
    error: record.failure?.class ?? null,
    cut: record.cut,
  };
}

/** A phase's onStream that writes each stream's line (undefined without a log). */
export function requestRecorder(log: RequestLog | undefined, place: RequestPlace): OnStream | undefined {
  return log ? (record, _origin, _end, meta) => log.write(requestLine(place, record, meta)) : undefined;
}

/** Several onStream callbacks as one (undefined ones skipped). */
export function composeOnStream(...fns: ReadonlyArray<OnStream | undefined>): OnStream | undefined {
  const present = fns.filter((f): f is OnStream => f !== undefined);
  if (present.length <= 1) return present[0];
  return (record, origin, end, meta) => {
    for (const f of present) f(record, origin, end, meta);
  };
}

/** Concatenates the files that exist, in the order given, into `out` (streamed: no file is held whole). Returns the files used. */
export async function concatRequestLogs(files: readonly string[], out: string): Promise<string[]> {
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) return [];
  // Written aside and renamed: `out` may be one of the inputs (merge of a lone shard into its own directory).
  const aside = `${out}.partial`;
  const sink = createWriteStream(aside);
  for (const f of present) {
    for await (const chunk of createReadStream(f, { highWaterMark: BUFFER_BYTES })) {
      if (!sink.write(chunk)) await once(sink, 'drain');
    }
  }
  sink.end();
  await once(sink, 'finish');
  renameSync(aside, out);
  return present;
}
