import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';

export const provider: ProviderDescriptor = {
  name: 'together',
  displayName: 'Together AI',
  defaultBaseUrl: 'https://api.together.xyz',
  supportsPassthrough: true,
  buildRequest,
  createStreamDecoder,
};
