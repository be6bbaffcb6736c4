import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';
import { fuzz } from './fuzz.ts';

export const provider: ProviderDescriptor = {
  name: 'openai-responses',
  displayName: 'OpenAI Responses API',
  defaultBaseUrl: 'https://api.openai.com',
  // The upstream speaks Responses events, not chat chunks: always translated.
  supportsPassthrough: false,
  buildRequest,
  createStreamDecoder,
  fuzz,
};
