// Azure streams OpenAI chunks with a leading prompt-filter chunk (empty choices and id) and
// content_filter_results on every choice; both are tolerated by the shared decoder.
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { createOpenAIChatDecoder } from '../openai-compatible/chat-stream.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return createOpenAIChatDecoder(context);
}
