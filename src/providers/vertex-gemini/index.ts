import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';
import { vertexFuzz as fuzz } from '../gemini/fuzz.ts';

export const provider: ProviderDescriptor = {
  name: 'vertex-gemini',
  displayName: 'Gemini on Vertex AI',
  // Regional: a route for another location sets its own base URL.
  defaultBaseUrl: 'https://us-central1-aiplatform.googleapis.com',
  supportsPassthrough: false,
  buildRequest,
  createStreamDecoder,
  fuzz,
  harnessOptions: { project: 'streamproof-test', location: 'us-central1' },
};
