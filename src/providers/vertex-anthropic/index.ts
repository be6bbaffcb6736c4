import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';
import { fuzz } from '../anthropic/fuzz.ts';

export const provider: ProviderDescriptor = {
  name: 'vertex-anthropic',
  displayName: 'Anthropic on Vertex AI',
  defaultBaseUrl: 'https://us-east5-aiplatform.googleapis.com',
  supportsPassthrough: false,
  buildRequest,
  createStreamDecoder,
  fuzz,
  harnessOptions: { project: 'streamproof-test', location: 'us-east5' },
};
