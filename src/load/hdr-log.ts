// Histograms between machines: the standard HdrHistogram interval log (hdr-histogram-js's
// HistogramLogWriter and HistogramLogReader; HdrHistogram's own tools read it), one tagged line
// per histogram and interval, latencies in microseconds. The harness records in ns
// (histogram.ts); the conversion maps each ns bucket to the µs bucket of its middle value, a
// per-bucket map, so converting then adding equals adding then converting: merged shards give
// exactly the histogram one process would have written. Each conversion costs at most one bucket
// of the 3-significant-digit precision (0.1%), and values below 1 µs round to 0 or 1 µs.
import * as hdr from 'hdr-histogram-js';
import { createHistogram, type Histogram } from './histogram.ts';

/** The settings every shard's log histograms have; merge refuses logs whose settings differ. */
export const LOG_SETTINGS = {
  unit: 'us',
  lowestDiscernibleValue: 1,
  /** One hour in µs: the initial range (the histograms resize beyond it). */
  highestTrackableValue: 3_600_000_000,
  significantDigits: 3,
} as const;

export type LogSettings = { [K in keyof typeof LOG_SETTINGS]: (typeof LOG_SETTINGS)[K] extends string ? string : number };

export function createLogHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: LOG_SETTINGS.lowestDiscernibleValue,
    highestTrackableValue: LOG_SETTINGS.highestTrackableValue,
    numberOfSignificantValueDigits: LOG_SETTINGS.significantDigits,
    useWebAssembly: false,
  });
}

/** Each recorded bucket's middle value, with its count. */
function* buckets(h: Histogram): Generator<[value: number, count: number]> {
  const js = h as unknown as hdr.JsHistogram;
  const it = js.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    yield [js.medianEquivalentValue(v.valueIteratedTo), v.countAtValueIteratedTo];
  }
}

/** A ns histogram (histogram.ts) as a µs log histogram. */
export function nsToUs(h: Histogram): Histogram {
  const out = createLogHistogram();
  for (const [ns, count] of buckets(h)) out.recordValueWithCount(Math.round(ns / 1000), count);
  return out;
}

/** A µs log histogram back in the harness's ns histograms (for the usual measurements). */
export function usToNs(h: Histogram): Histogram {
  const out = createHistogram();
  for (const [us, count] of buckets(h)) out.recordValueWithCount(us * 1000, count);
  return out;
}

/** A histogram copied as it is (for values that are not latencies, e.g. tokens/s ×1000). */
export function asLogHistogram(h: Histogram): Histogram {
  const out = createLogHistogram();
  out.add(h);
  return out;
}

export interface LogInterval {
  tag: string;
  /** Seconds from the log's start time. */
  startSec: number;
  lengthSec: number;
  histogram: Histogram;
}

/** The log text: version, start time, comments, legend, then one line per interval. */
export function writeIntervalLog(startEpochMs: number, comments: readonly string[], intervals: readonly LogInterval[]): string {
  let text = '';
  const writer = new hdr.HistogramLogWriter((s) => {
    text += s;
  });
  writer.outputLogFormatVersion();
  writer.outputStartTime(startEpochMs);
  for (const c of comments) writer.outputComment(c);
  writer.outputLegend();
  for (const i of intervals) {
    i.histogram.tag = i.tag;
    // Interval_Max in ms (µs / 1000), as HdrHistogram's tools print latency logs.
    writer.outputIntervalHistogram(i.histogram, i.startSec, i.startSec + i.lengthSec, 1000);
  }
  return text;
}

export interface ReadLog {
  startEpochMs: number | null;
  intervals: LogInterval[];
  /** Significant digits and lowest value of every histogram line, as decoded. */
  decodedSettings: Array<{ tag: string; significantDigits: number; lowestDiscernibleValue: number }>;
}

/** Parses a log written by writeIntervalLog (or any HdrHistogram interval log). */
export function readIntervalLog(text: string): ReadLog {
  const reader = new hdr.HistogramLogReader(text, 32, false);
  const intervals: LogInterval[] = [];
  const decodedSettings: ReadLog['decodedSettings'] = [];
  for (;;) {
    const h = reader.nextIntervalHistogram();
    if (!h) break;
    const js = h as unknown as hdr.JsHistogram;
    decodedSettings.push({
      tag: h.tag,
      significantDigits: js.numberOfSignificantValueDigits,
      lowestDiscernibleValue: js.lowestDiscernibleValue,
    });
    const base = (reader.baseTimeSec ?? 0) * 1000;
    const histogram = createLogHistogram();
    histogram.add(h);
    intervals.push({
      tag: h.tag,
      startSec: round3((h.startTimeStampMsec - base) / 1000),
      lengthSec: round3((h.endTimeStampMsec - h.startTimeStampMsec) / 1000),
      histogram,
    });
  }
  const start = reader.startTimeSec;
  return { startEpochMs: Number.isFinite(start) ? start * 1000 : null, intervals, decodedSettings };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
