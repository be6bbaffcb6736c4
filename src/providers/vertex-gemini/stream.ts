// Vertex streams exactly what the Gemini API streams (plus createTime, responseId and
// usageMetadata.trafficType, which carry nothing a client needs): the Gemini decoder reads it.
import type { DecoderContext, StreamDecoder } from '../types.ts';
import { createGeminiStreamDecoder } from '../gemini/stream.ts';

export function createStreamDecoder(context: DecoderContext): StreamDecoder {
  return createGeminiStreamDecoder(context);
}
