// Together AI chunks: usage on the last content chunk and finish_reason "eos" for stop.
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { createOpenAIChatDecoder } from '../openai-compatible/chat-stream.ts';

export const TOGETHER_FINISH_REASONS = { eos: 'stop' } as const;

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return createOpenAIChatDecoder(context, { finishReasons: TOGETHER_FINISH_REASONS });
}
