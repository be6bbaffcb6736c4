// Together AI: OpenAI chat body and bearer auth; chunks with usage on the last content chunk and
// finish_reason "eos" for stop.
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';
import { openAIChatGenerator } from '../openai-compatible/fuzz.ts';

export const TOGETHER_FINISH_REASONS = { eos: 'stop' } as const;

export const provider = openAICompatibleProvider({
  name: 'together',
  displayName: 'Together AI',
  defaultBaseUrl: 'https://api.together.xyz',
  finishReasons: TOGETHER_FINISH_REASONS,
  fuzz: openAIChatGenerator({ usageOnLastChunk: true, finishWord: (f) => (f === 'stop' ? 'eos' : f) }),
});
