// A provider's fuzz generator: the one thing a new provider adds to join every fuzz property.
import type { ModelOptions, StreamModel } from '../model.ts';

export interface StreamGenerator {
  provider: string;
  /** How the upstream frames events: SSE streams also get the framing-equivalence property. */
  framing: 'sse' | 'eventstream' | 'json';
  /** What this provider can express (e.g. no reasoning, at most one tool call). */
  model?: ModelOptions;
  /** Whether the generated client request asks for stream_options.include_usage. */
  includeUsage: boolean;
  /** The upstream invents no tool-call ids, so the gateway does: expected ids are not known. */
  inventsToolCallIds?: boolean;
  /** Fits a generated meaning to what the dialect can say (applied before generate and checks). */
  adjust?(model: StreamModel): StreamModel;
  /** The upstream body a real provider would send for this meaning. */
  generate(model: StreamModel): string | Buffer;
  /** The terminal event's bytes where the dialect has one (OpenAI's `data: [DONE]`). */
  terminator?: string;
  /**
   * The shortest prefix of a generated body that is still a complete stream (default: all of it).
   * A cut before it must be reported as an error.
   */
  completeLength?(body: Buffer): number;
  /** The provider's in-band error event (for "error after partial output"), where it has one. */
  errorEvent?(message: string): string | Buffer;
}
