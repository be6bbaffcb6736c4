import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';
import { fuzz } from './fuzz.ts';

export const provider: ProviderDescriptor = {
  name: 'anthropic',
  displayName: 'Anthropic',
  defaultBaseUrl: 'https://api.anthropic.com',
  supportsPassthrough: false,
  buildRequest,
  createStreamDecoder,
  fuzz,
};
