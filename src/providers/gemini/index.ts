import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';
import { fuzz } from './fuzz.ts';

export const provider: ProviderDescriptor = {
  name: 'gemini',
  displayName: 'Google Gemini API',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  supportsPassthrough: false,
  buildRequest,
  createStreamDecoder,
  fuzz,
};
