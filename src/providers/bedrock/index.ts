import type { ProviderDescriptor } from '../types.ts';
import { HARNESS_AWS_OPTIONS } from './auth.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';
import { fuzz } from './fuzz.ts';

export const provider: ProviderDescriptor = {
  name: 'bedrock',
  displayName: 'AWS Bedrock (ConverseStream)',
  // Other regions: set the route's baseUrl (and options.region).
  defaultBaseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
  supportsPassthrough: false,
  buildRequest,
  createStreamDecoder,
  fuzz,
  harnessOptions: { ...HARNESS_AWS_OPTIONS },
};
