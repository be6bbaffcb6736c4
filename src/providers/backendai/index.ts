import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';

export const provider: ProviderDescriptor = {
  name: 'backendai',
  displayName: 'Backend.AI model serving',
  defaultBaseUrl: 'http://127.0.0.1:8000',
  supportsPassthrough: true,
  buildRequest,
  createStreamDecoder,
};
