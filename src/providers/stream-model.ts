// The meaning of a generated stream and a provider's fuzz generator: what the fuzzer (src/fuzz/)
// asks a provider to encode, and what the gateway's output must reconstruct exactly. Plain data
// and pure helpers only; the fast-check arbitraries that make these live in src/fuzz/model.ts.

export interface GeneratedToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments. */
  args: Record<string, unknown>;
  /** Where the serialized arguments are cut into deltas (sorted offsets, in UTF-16 units). */
  cuts: number[];
}

export interface StreamModel {
  id: string;
  model: string;
  created: number;
  reasoning: string[];
  text: string[];
  toolCalls: GeneratedToolCall[];
  usage: { prompt: number; completion: number } | null;
  finish: 'stop' | 'length' | 'tool_calls' | 'content_filter';
}

export interface ModelOptions {
  /** Providers that cannot stream reasoning, or tool calls, say so. */
  reasoning?: boolean;
  toolCalls?: boolean;
  maxToolCalls?: number;
}

/** The argument string of a tool call cut at its cut points. */
export function argumentFragments(call: GeneratedToolCall): string[] {
  const s = JSON.stringify(call.args);
  const bounds = [0, ...call.cuts, s.length];
  const out: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push(s.slice(bounds[i], bounds[i + 1]));
  return out.filter((f) => f !== '');
}

/**
 * A provider's fuzz generator (the descriptor's `fuzz`): what a provider gives to join every fuzz
 * property. Providers that share a dialect share a generator.
 */
export interface StreamGenerator {
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
