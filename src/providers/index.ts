// The provider registry: adding a provider is one folder and one line here.
import type { ProviderDescriptor } from './types.ts';
import { provider as openai } from './openai/index.ts';
import { provider as azure } from './azure/index.ts';
import { provider as xai } from './xai/index.ts';
import { provider as together } from './together/index.ts';
import { provider as togetherHelicone } from './together-helicone/index.ts';
import { provider as backendai } from './backendai/index.ts';
import { provider as anthropic } from './anthropic/index.ts';
import { provider as vertexAnthropic } from './vertex-anthropic/index.ts';
import { provider as gemini } from './gemini/index.ts';
import { provider as vertexGemini } from './vertex-gemini/index.ts';
import { provider as bedrock } from './bedrock/index.ts';
import { provider as bedrockInvoke } from './bedrock-invoke/index.ts';
import { provider as openaiResponses } from './openai-responses/index.ts';
import { provider as straico } from './straico/index.ts';

export const providers: readonly ProviderDescriptor[] = [
  openai,
  azure,
  xai,
  together,
  togetherHelicone,
  backendai,
  anthropic,
  vertexAnthropic,
  gemini,
  vertexGemini,
  bedrock,
  bedrockInvoke,
  openaiResponses,
  straico,
];

const byName = new Map(providers.map((p) => [p.name, p]));

export function getProvider(name: string): ProviderDescriptor | undefined {
  return byName.get(name);
}

export function providerNames(): string[] {
  return providers.map((p) => p.name);
}
