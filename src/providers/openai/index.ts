import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';

export const provider: ProviderDescriptor = {
  name: 'openai',
  displayName: 'OpenAI',
  defaultBaseUrl: 'https://api.openai.com',
  supportsPassthrough: true,
  buildRequest,
  createStreamDecoder,
};
