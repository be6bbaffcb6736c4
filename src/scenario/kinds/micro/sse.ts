// SSE framing throughput: src/sse/parser.ts against eventsource-parser 3 (with the streaming
// TextDecoder a real client needs), bytes → events, on the same generated streams in the same
// run. Both must find the same number of events, or the figures mean nothing. The huge-line-drip
// shape (1 MiB `data:` lines) checks that the cost stays linear in the line length.
import { createParser } from 'eventsource-parser';
import { Bench } from 'tinybench';
import { createSseParser } from '../../../sse/parser.ts';
import { cutReads, generateStream, STREAM_SHAPES, type StreamShape } from './generated-streams.ts';
import { medianMs } from './tinybench-result.ts';

export interface SseFigure {
  shape: StreamShape;
  readBytes: number;
  megabytes: number;
  oursMbPerS: number;
  eventsourceParserMbPerS: number;
  events: number;
}

export interface SseBenchOptions {
  megabytes: number;
  readSizes: readonly number[];
  seed: number;
  timeMs: number;
}

export function parseWithOurs(reads: readonly Buffer[]): number {
  let n = 0;
  const parser = createSseParser({ onEvent: () => void n++ });
  for (const r of reads) parser.feed(r);
  parser.end();
  return n;
}

export function parseWithEventsourceParser(reads: readonly Buffer[]): number {
  let n = 0;
  const parser = createParser({ onEvent: () => void n++ });
  const decoder = new TextDecoder();
  for (const r of reads) parser.feed(decoder.decode(r, { stream: true }));
  parser.feed(decoder.decode());
  return n;
}

export async function benchSseFraming(o: SseBenchOptions): Promise<SseFigure[]> {
  const figures: SseFigure[] = [];
  for (const shape of STREAM_SHAPES) {
    const stream = generateStream(shape, o.megabytes * 1e6, o.seed);
    for (const readBytes of o.readSizes) {
      const reads = cutReads(stream.bytes, readBytes);
      const ours = parseWithOurs(reads);
      const theirs = parseWithEventsourceParser(reads);
      if (ours !== stream.events || theirs !== stream.events) {
        throw new Error(
          `SSE bench ${shape}/${readBytes}: parsers disagree (generated ${stream.events}, ours ${ours}, eventsource-parser ${theirs})`,
        );
      }
      const bench = new Bench({ time: o.timeMs, warmupTime: Math.min(200, o.timeMs), warmupIterations: 2 });
      bench.add('ours', () => parseWithOurs(reads));
      bench.add('eventsource-parser', () => parseWithEventsourceParser(reads));
      await bench.run();
      const mb = stream.bytes.length / 1e6;
      figures.push({
        shape,
        readBytes,
        megabytes: mb,
        oursMbPerS: mb / (medianMs(bench, 'ours') / 1000),
        eventsourceParserMbPerS: mb / (medianMs(bench, 'eventsource-parser') / 1000),
        events: stream.events,
      });
    }
  }
  return figures;
}
