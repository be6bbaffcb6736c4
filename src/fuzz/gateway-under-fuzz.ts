// Runs upstream bytes through the gateway's own stream pipelines, read by read, in-process:
// exactly what the server writes to the client, thousands of times a second. Counterexamples are
// then replayed over real sockets by `streamproof run`.
import { createNormalizingPipeline, createPassthroughPipeline } from '../gateway/pipeline.ts';
import type { DecoderContext, ProviderDescriptor } from '../providers/types.ts';

export type PipelineMode = 'normalize' | 'passthrough';

export interface FuzzGatewayOptions {
  provider: ProviderDescriptor;
  mode: PipelineMode;
  includeUsage: boolean;
  maxLineBytes?: number;
}

export const FUZZ_CREATED = 1_700_000_000;

export function fuzzContext(maxLineBytes?: number): DecoderContext {
  let n = 0;
  return { model: 'fuzz-model', now: () => FUZZ_CREATED, newId: (prefix) => `${prefix}fuzz${n++}`, maxLineBytes };
}

/** The client bytes the gateway writes for these upstream reads. */
export function gatewayOutput(options: FuzzGatewayOptions, reads: readonly Buffer[]): string {
  const pipeline =
    options.mode === 'passthrough' && options.provider.supportsPassthrough
      ? createPassthroughPipeline({ maxLineBytes: options.maxLineBytes })
      : createNormalizingPipeline({
          provider: options.provider,
          context: fuzzContext(options.maxLineBytes),
          includeUsage: options.includeUsage,
        });
  let out = pipeline.open();
  for (const read of reads) out += pipeline.feed(read).toString();
  return out + pipeline.end();
}

/** Cuts a body at the given offsets (any order, duplicates and out-of-range ignored). */
export function splitAt(body: Buffer, offsets: readonly number[]): Buffer[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < body.length))].sort((a, b) => a - b);
  const reads: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    reads.push(body.subarray(prev, c));
    prev = c;
  }
  reads.push(body.subarray(prev));
  return reads;
}
