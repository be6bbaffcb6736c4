// The gateway process's samples during one phase, reduced to the figures the reports show.
import type { ServerSample } from './server-messages.ts';

export interface ServerGauges {
  samples: number;
  rssMax: number;
  heapMax: number;
  /** Pipelines + queued writes, summed over streams, max over samples. */
  bufferedMax: number;
  pipelineMax: number;
  queuedWritesMax: number;
  activeStreamsMax: number;
  inFlightMax: number;
  cpuMean: number;
  eluMax: number;
  eluMean: number;
  gcPauseMaxMs: number;
  bytesWrittenFirst: number;
  bytesWrittenLast: number;
}

export function samplesBetween(samples: readonly ServerSample[], fromMs: number, toMs: number): ServerSample[] {
  return samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
}

/** Samples inside any of the windows ([start, end] hrtime ms). */
export function samplesIn(samples: readonly ServerSample[], windows: ReadonlyArray<readonly [number, number]>): ServerSample[] {
  return samples.filter((s) => windows.some(([from, to]) => s.atMs >= from && s.atMs <= to));
}

export function summarizeSamples(samples: readonly ServerSample[]): ServerGauges {
  const g: ServerGauges = {
    samples: samples.length,
    rssMax: 0,
    heapMax: 0,
    bufferedMax: 0,
    pipelineMax: 0,
    queuedWritesMax: 0,
    activeStreamsMax: 0,
    inFlightMax: 0,
    cpuMean: 0,
    eluMax: 0,
    eluMean: 0,
    gcPauseMaxMs: 0,
    bytesWrittenFirst: samples[0]?.bytesWritten ?? 0,
    bytesWrittenLast: samples[samples.length - 1]?.bytesWritten ?? 0,
  };
  for (const s of samples) {
    g.rssMax = Math.max(g.rssMax, s.rss);
    g.heapMax = Math.max(g.heapMax, s.heapUsed);
    g.bufferedMax = Math.max(g.bufferedMax, s.pipelineBytes + s.queuedWriteBytes);
    g.pipelineMax = Math.max(g.pipelineMax, s.pipelineBytes);
    g.queuedWritesMax = Math.max(g.queuedWritesMax, s.queuedWriteBytes);
    g.activeStreamsMax = Math.max(g.activeStreamsMax, s.activeStreams);
    g.inFlightMax = Math.max(g.inFlightMax, s.inFlight);
    g.eluMax = Math.max(g.eluMax, s.elu);
    g.gcPauseMaxMs = Math.max(g.gcPauseMaxMs, s.gcPauseMaxMs);
    g.cpuMean += s.cpu / samples.length;
    g.eluMean += s.elu / samples.length;
  }
  return g;
}

/** A few lines of the series (for a report's detail): time, RSS, heap, buffered bytes, streams. */
export function sampleSeries(samples: readonly ServerSample[], points = 20): string {
  if (samples.length === 0) return '(no samples)';
  const step = Math.max(1, Math.floor(samples.length / points));
  const t0 = samples[0]!.atMs;
  const lines = ['    t(s)   rss(MB)  heap(MB)  buffered(KB)  requests  streams  cpu'];
  for (let i = 0; i < samples.length; i += step) {
    const s = samples[i]!;
    lines.push(
      `${((s.atMs - t0) / 1000).toFixed(1).padStart(8)}  ${(s.rss / 1e6).toFixed(1).padStart(8)}  ${(s.heapUsed / 1e6).toFixed(1).padStart(8)}  ${((s.pipelineBytes + s.queuedWriteBytes) / 1e3).toFixed(1).padStart(12)}  ${String(s.inFlight).padStart(8)}  ${String(s.activeStreams).padStart(7)}  ${s.cpu.toFixed(2)}`,
    );
  }
  return lines.join('\n');
}
