// Per-provider translation cost: each provider's cassettes through createNormalizingPipeline
// (native bytes → canonical events → OpenAI chunks), read boundaries as recorded. Reported as MB/s
// of upstream bytes and ns per canonical event.
import { Bench } from 'tinybench';
import type { CanonicalEvent } from '../../../canonical/events.ts';
import { createNormalizingPipeline } from '../../../gateway/pipeline.ts';
import type { Cassette } from '../../../cassette/cassette.ts';
import type { ProviderDescriptor } from '../../../providers/types.ts';
import { benchContext, type ProviderInput } from './provider-cassettes.ts';
import { medianMs } from './tinybench-result.ts';

export interface TranslateFigure {
  provider: string;
  cassettes: number;
  mbPerS: number;
  nsPerEvent: number;
}

/** One pass: every cassette through a fresh pipeline; returns output bytes (so nothing is optimised away). */
export function translateOnce(provider: ProviderDescriptor, cassettes: readonly Cassette[]): number {
  let out = 0;
  for (const c of cassettes) {
    const pipeline = createNormalizingPipeline({ provider, context: benchContext(String(c.request.body['model'])), includeUsage: true });
    out += pipeline.open().length;
    for (const chunk of c.response.chunks) out += pipeline.feed(chunk.bytes).length;
    out += pipeline.end().length;
  }
  return out;
}

export function countEvents(provider: ProviderDescriptor, cassettes: readonly Cassette[]): number {
  let n = 0;
  for (const c of cassettes) {
    const decoder = provider.createStreamDecoder(benchContext(String(c.request.body['model'])));
    const events: CanonicalEvent[] = [];
    for (const chunk of c.response.chunks) decoder.feed(chunk.bytes, events);
    decoder.end(events);
    n += events.filter((e) => e.type !== 'comment').length;
  }
  return n;
}

export async function benchTranslation(inputs: readonly ProviderInput[], timeMs: number): Promise<TranslateFigure[]> {
  const usable = inputs.filter((i) => !i.skipped);
  // Repeat each provider's cassettes so one iteration is long enough to time well (~0.2 ms+).
  const rounds = 20;
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
  for (const { provider, cassettes } of usable) {
    bench.add(provider.name, () => {
      let n = 0;
      for (let r = 0; r < rounds; r++) n += translateOnce(provider, cassettes);
      return n;
    });
  }
  await bench.run();
  return usable.map(({ provider, cassettes }) => {
    const ms = medianMs(bench, provider.name) / rounds;
    const bytes = cassettes.reduce((n, c) => n + c.response.chunks.reduce((m, ch) => m + ch.bytes.length, 0), 0);
    const events = Math.max(1, countEvents(provider, cassettes));
    return { provider: provider.name, cassettes: cassettes.length, mbPerS: bytes / 1e6 / (ms / 1000), nsPerEvent: (ms * 1e6) / events };
  });
}
