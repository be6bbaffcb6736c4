// The fuzz generator registry: a provider joins every property by adding its generator here.
import type { StreamGenerator } from './types.ts';
import {
  azureGenerator,
  backendaiGenerator,
  openaiGenerator,
  togetherGenerator,
  togetherHeliconeGenerator,
  xaiGenerator,
} from './openai-chat.ts';

export const generators: readonly StreamGenerator[] = [
  openaiGenerator,
  azureGenerator,
  xaiGenerator,
  togetherGenerator,
  togetherHeliconeGenerator,
  backendaiGenerator,
];

export function getGenerator(provider: string): StreamGenerator | undefined {
  return generators.find((g) => g.provider === provider);
}
