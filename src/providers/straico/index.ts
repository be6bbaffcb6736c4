import type { ProviderDescriptor } from '../types.ts';
import { buildRequest } from './request.ts';
import { createStreamDecoder } from './stream.ts';
import { fuzz } from './fuzz.ts';

export const provider: ProviderDescriptor = {
  name: 'straico',
  displayName: 'Straico',
  defaultBaseUrl: 'https://api.straico.com',
  supportsPassthrough: false,
  // Straico never streams: the gateway opens the client stream and heartbeats while it waits.
  synthesizesStream: true,
  buildRequest,
  createStreamDecoder: (context) => createStreamDecoder(context),
  fuzz,
};
