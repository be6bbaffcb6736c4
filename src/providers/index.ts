// The provider registry: adding a provider is one folder and one line here.
import type { ProviderDescriptor } from './types.ts';
import { provider as openai } from './openai/index.ts';
import { provider as azure } from './azure/index.ts';
import { provider as xai } from './xai/index.ts';
import { provider as together } from './together/index.ts';
import { provider as togetherHelicone } from './together-helicone/index.ts';
import { provider as backendai } from './backendai/index.ts';

export const providers: readonly ProviderDescriptor[] = [openai, azure, xai, together, togetherHelicone, backendai];

const byName = new Map(providers.map((p) => [p.name, p]));

export function getProvider(name: string): ProviderDescriptor | undefined {
  return byName.get(name);
}

export function providerNames(): string[] {
  return providers.map((p) => p.name);
}
