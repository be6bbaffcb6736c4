import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';

export const provider: ProviderDescriptor = {
  name: 'azure',
  displayName: 'Azure OpenAI',
  defaultBaseUrl: 'https://example-resource.openai.azure.com',
  supportsPassthrough: true,
  buildRequest,
  createStreamDecoder,
};
