import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';

export const provider: ProviderDescriptor = {
  name: 'xai',
  displayName: 'xAI',
  defaultBaseUrl: 'https://api.x.ai',
  supportsPassthrough: true,
  buildRequest,
  createStreamDecoder,
};
