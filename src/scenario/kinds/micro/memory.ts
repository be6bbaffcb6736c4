// Provider-layer memory: the heap held by N open normalizing pipelines of one provider, each fed
// all but the last read of a cassette (mid-stream, parser remainders held), measured after a
// full GC on both sides.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNormalizingPipeline, type StreamPipeline } from '../../../gateway/pipeline.ts';
import { benchContext, type ProviderInput } from './provider-cassettes.ts';

export interface MemoryFigure {
  provider: string;
  streams: number;
  megabytes: number;
}

/** A full GC, even when Node was started without --expose-gc. */
export function fullGc(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

export function providerMemory(inputs: readonly ProviderInput[], streams: number): MemoryFigure[] {
  const figures: MemoryFigure[] = [];
  for (const { provider, cassettes, skipped } of inputs) {
    if (skipped) continue;
    const open = (i: number): StreamPipeline => {
      const c = cassettes[i % cassettes.length]!;
      const pipeline = createNormalizingPipeline({ provider, context: benchContext(String(c.request.body['model'])), includeUsage: true });
      pipeline.open();
      const chunks = c.response.chunks;
      for (let k = 0; k < chunks.length - 1; k++) pipeline.feed(chunks[k]!.bytes);
      return pipeline;
    };
    figures.push({ provider: provider.name, streams, megabytes: heldBytes(streams, open) / 1e6 });
  }
  return figures;
}

/**
 * Heap retained by `n` objects from `make`, after a full GC on both sides. A warm-up round first
 * lets lazily compiled code and caches settle, so they are not counted as per-object memory.
 */
export function heldBytes(n: number, make: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 100); i++) make(i);
  fullGc();
  const before = process.memoryUsage().heapUsed;
  const held: unknown[] = [];
  for (let i = 0; i < n; i++) held.push(make(i));
  fullGc();
  const after = process.memoryUsage().heapUsed;
  held.length = 0;
  return Math.max(0, after - before);
}
