// Streams OpenAI chat-completion chunks as they are.
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { createOpenAIChatDecoder } from '../openai-compatible/chat-stream.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return createOpenAIChatDecoder(context);
}
