// Turns one stream's outcome into a record: timings, its failure class (if any), and chunk
// fidelity against the expected output.
import { applyMasks } from './masks.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import { classifyStatus, type ErrorClass } from '../client/error-class.ts';
import { firstDifference } from './golden.ts';
import { compareFrames, frameMismatches, splitFrames, type FrameDiff } from '../client/frames.ts';
import type { StreamOutcome } from '../client/sse-driver.ts';
import { analyzeStream, type StreamTimings } from '../client/stream-analysis.ts';
import { checkSequence } from '../cassette/synthetic.ts';

export interface StreamExpectation {
  /** Decodes the output (the client dialect, or the provider's for direct-to-upstream runs). */
  decoder: ProviderDescriptor;
  /** Whether the output must equal `expected`, byte for byte. */
  fidelity: boolean;
  /**
   * The expected output: a golden, or the upstream body for direct runs. null: the first clean
   * stream's output becomes the reference (generated streams, where no golden is kept).
   */
  expected: Buffer | null;
  /** JSON paths masked in both before comparing (an external target's invented values). */
  masks: readonly string[];
  /** Generated streams: the token count, to check every numbered token arrived in order. */
  syntheticTokens: number | null;
  /** The cassette ends in an error event on purpose. */
  errorExpected: boolean;
}

export interface StreamRecord {
  timings: StreamTimings;
  failure: { class: ErrorClass; message: string } | null;
  /** null when not checked (fidelity off, the stream failed or was cut). */
  frames: FrameDiff | null;
  /** Where the first mismatch of this stream is (only when frames differ). */
  mismatch?: string;
  cut: boolean;
}

/** Per-expectation state: the learned reference and the expected frames, split once. */
export interface ExpectationState {
  expectation: StreamExpectation;
  reference: Buffer | null;
  frames: string[] | null;
}

export function expectationState(expectation: StreamExpectation): ExpectationState {
  const reference = expectation.expected ? applyMasks(expectation.expected, expectation.masks) : null;
  return { expectation, reference, frames: reference ? splitFrames(reference) : null };
}

const DECODER_CONTEXT = { model: 'streamproof-load', now: () => 0, newId: (p: string) => `${p}load`, maxLineBytes: 64 * 1024 * 1024 };

export function evaluateStream(outcome: StreamOutcome, state: ExpectationState, stallNs: number): StreamRecord {
  const { expectation } = state;
  const timings = analyzeStream({
    origin: outcome.origin,
    headAt: outcome.headAt,
    reads: outcome.reads,
    decoder: expectation.decoder.createStreamDecoder(DECODER_CONTEXT),
    stallNs,
    keepTexts: expectation.syntheticTokens !== null,
  });
  if (outcome.cut) return { timings, failure: null, frames: null, cut: true };
  const failure = classifyOutcome(outcome, timings, expectation);
  let frames: FrameDiff | null = null;
  if (failure === null && expectation.fidelity) {
    const body = applyMasks(Buffer.concat(outcome.reads.map((r) => r.bytes)), expectation.masks);
    if (state.reference === null) {
      state.reference = body;
      state.frames = splitFrames(body);
    }
    frames = compareFrames(state.reference, body, state.frames ?? undefined);
    if (expectation.syntheticTokens !== null && timings.texts) {
      const seq = checkSequence(timings.texts, expectation.syntheticTokens);
      frames = {
        ...frames,
        lost: Math.max(frames.lost, seq.lost),
        reordered: Math.max(frames.reordered, seq.reordered),
        corrupted: Math.max(frames.corrupted, seq.corrupted),
      };
    }
  }
  delete timings.texts; // only needed for the sequence check
  if (frames && frameMismatches(frames) > 0) {
    const body = applyMasks(Buffer.concat(outcome.reads.map((r) => r.bytes)), expectation.masks);
    const diff = firstDifference(state.reference!, body);
    const where = diff
      ? `first difference at byte ${diff.offset} (event ${diff.eventIndex}): expected ${JSON.stringify(diff.expectedEvent.slice(0, 200))}, got ${JSON.stringify(diff.actualEvent.slice(0, 200))}`
      : '';
    return {
      timings,
      failure,
      frames,
      cut: false,
      mismatch: `lost ${frames.lost}, corrupted ${frames.corrupted}, reordered ${frames.reordered}, extra ${frames.extra}; ${where}`,
    };
  }
  return { timings, failure, frames, cut: false };
}

function classifyOutcome(outcome: StreamOutcome, timings: StreamTimings, expectation: StreamExpectation): StreamRecord['failure'] {
  if (outcome.error) return outcome.error;
  const byStatus = classifyStatus(outcome.status);
  if (byStatus) return { class: byStatus, message: `status ${outcome.status}` };
  const ev = timings.errorEvent;
  if (ev && !expectation.errorExpected) {
    return { class: ev.kind === 'truncated' ? 'incomplete' : 'stream_error', message: ev.message };
  }
  return null;
}
