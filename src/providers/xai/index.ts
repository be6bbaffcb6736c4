// xAI (Grok): OpenAI chat body and bearer auth; OpenAI-style chunks (reasoning_content deltas,
// whole tool calls in one chunk).
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';
import { openAIChatGenerator } from '../openai-compatible/fuzz.ts';

export const provider = openAICompatibleProvider({
  name: 'xai',
  displayName: 'xAI',
  defaultBaseUrl: 'https://api.x.ai',
  fuzz: openAIChatGenerator({ wholeToolCalls: true }),
});
