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
import { anthropicGenerator, bedrockInvokeGenerator, vertexAnthropicGenerator } from './anthropic.ts';
import { geminiGenerator, vertexGeminiGenerator } from './gemini.ts';
import { bedrockGenerator } from './bedrock.ts';
import { openaiResponsesGenerator } from './openai-responses.ts';
import { straicoGenerator } from './straico.ts';

export const generators: readonly StreamGenerator[] = [
  openaiGenerator,
  azureGenerator,
  xaiGenerator,
  togetherGenerator,
  togetherHeliconeGenerator,
  backendaiGenerator,
  anthropicGenerator,
  vertexAnthropicGenerator,
  geminiGenerator,
  vertexGeminiGenerator,
  bedrockGenerator,
  bedrockInvokeGenerator,
  openaiResponsesGenerator,
  straicoGenerator,
];

export function getGenerator(provider: string): StreamGenerator | undefined {
  return generators.find((g) => g.provider === provider);
}
