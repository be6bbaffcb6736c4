// The canonical stream event model: every provider decoder produces these, and one encoder turns
// them into the client dialect. Modelled on the Vercel AI SDK's stream parts.

export interface CanonicalUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedPromptTokens?: number;
  reasoningTokens?: number;
}

/** OpenAI's finish reasons, which the client dialect speaks; `raw` keeps the provider's word. */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

export type ErrorKind =
  | 'upstream'
  | 'auth'
  | 'rate_limit'
  | 'overloaded'
  | 'bad_request'
  | 'timeout'
  | 'truncated'
  | 'malformed'
  | 'internal';

export type CanonicalEvent =
  | { type: 'start'; id: string; model: string; created: number }
  | { type: 'text-delta'; choice: number; text: string }
  | { type: 'reasoning-delta'; choice: number; text: string; signature?: string }
  | { type: 'refusal-delta'; choice: number; text: string }
  | { type: 'tool-call-start'; choice: number; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; choice: number; index: number; arguments: string }
  | { type: 'usage'; usage: CanonicalUsage }
  | { type: 'finish'; choice: number; reason: FinishReason; raw?: string }
  | { type: 'error'; kind: ErrorKind; message: string; errorType?: string; code?: string | number | null; status?: number }
  | { type: 'comment'; text: string };

/** A decoder's view of the end of the upstream body. */
export type StreamEnd = { complete: true } | { complete: false; reason: string };
