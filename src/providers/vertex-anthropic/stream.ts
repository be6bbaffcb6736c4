// Vertex AI's streamRawPredict answers with the Anthropic Messages stream, byte for byte.
export { createStreamDecoder } from '../anthropic/stream.ts';
