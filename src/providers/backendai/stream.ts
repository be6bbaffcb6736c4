// vLLM chunks (exclude_unset JSON, stop_reason, delta.reasoning); an error event is followed by
// [DONE], which the shared decoder ignores once the error has ended the stream.
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { createOpenAIChatDecoder } from '../openai-compatible/chat-stream.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return createOpenAIChatDecoder(context);
}
