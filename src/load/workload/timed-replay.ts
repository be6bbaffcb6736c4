// Generated streams shaped per request for the replay upstream: the answer's length from the
// request's own max_tokens (as a model stops there), and its chunks timed by the timing model.
// The replay picks a plan per request through a chooser; request i (in arrival order on the slot)
// gets the timing model's schedule for index i, so a run's timings are reproducible as a set.
import { syntheticCassette, type SyntheticSpec } from '../../cassette/synthetic.ts';
import type { Cassette, ReplayChunk } from '../../cassette/cassette.ts';
import type { ObservedRequest, ReplayPlan } from '../../replay/upstream.ts';
import { chunkOffsets, type TimingModel } from './timing-model.ts';

/** How a generated stream varies per request (absent: the same stream for every request). */
export interface SyntheticShape {
  /** Answer with the request's max_completion_tokens / max_tokens tokens (else the spec's). */
  tokensFromRequest: boolean;
  timing?: TimingModel | undefined;
}

/** The most tokens one generated answer may have (a request asking for more gets this many). */
export const MAX_SHAPED_TOKENS = 100_000;

/** The answer length a request asks for, or null. */
export function requestedTokens(body: Buffer): number | null {
  try {
    const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const n = json['max_completion_tokens'] ?? json['max_tokens'];
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, MAX_SHAPED_TOKENS) : null;
  } catch {
    return null;
  }
}

/**
 * The chunks of a generated answer retimed by the model: the role chunk and token 1 at TTFT, token
 * k at its offset, the finish, usage and [DONE] with the last token. Offsets are ms (the replay's
 * speed scales them like recorded gaps).
 */
export function timedChunks(cassette: Cassette, timing: TimingModel, index: number): ReplayChunk[] {
  const chunks = cassette.response.chunks;
  const tokens = chunks.length - 4; // role, n tokens, finish, usage, [DONE]
  const offsets = chunkOffsets(timing, index, Math.max(tokens, 1));
  const last = offsets[offsets.length - 1]!;
  return chunks.map((c, i) => ({ bytes: c.bytes, at: i === 0 ? offsets[0]! : i <= tokens ? offsets[i - 1]! : last }));
}

/** A chooser for a generated-stream slot: each request gets its own length and timing. */
export function shapedChooser(spec: SyntheticSpec, shape: SyntheticShape, speed: number): (request: ObservedRequest) => ReplayPlan {
  const byLength = new Map<number, Cassette>();
  let index = 0;
  return (request) => {
    const tokens = (shape.tokensFromRequest ? requestedTokens(request.body) : null) ?? spec.tokens;
    let cassette = byLength.get(tokens);
    if (!cassette) {
      cassette = syntheticCassette({ ...spec, tokens });
      // Distinct lengths are few (a distribution's values); keep at most a bounded number.
      if (byLength.size < 10_000) byLength.set(tokens, cassette);
    }
    const chunks = shape.timing ? timedChunks(cassette, shape.timing, index++) : cassette.response.chunks;
    // A timing model is the schedule itself: with speed 0 (no delays) it still applies, as recorded.
    return { cassette, chunks, speed: shape.timing && speed === 0 ? 1 : speed };
  };
}
