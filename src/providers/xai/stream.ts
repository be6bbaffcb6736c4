// xAI streams OpenAI-style chunks (reasoning_content deltas, whole tool calls in one chunk).
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { createOpenAIChatDecoder } from '../openai-compatible/chat-stream.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return createOpenAIChatDecoder(context);
}
