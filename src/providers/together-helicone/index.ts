import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';

export const provider: ProviderDescriptor = {
  name: 'together-helicone',
  displayName: 'Together AI via Helicone',
  defaultBaseUrl: 'https://together.helicone.ai',
  supportsPassthrough: true,
  buildRequest,
  createStreamDecoder,
  harnessOptions: { heliconeKey: 'sk-helicone-streamproof' },
};
