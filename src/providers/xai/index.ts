// xAI (Grok): OpenAI chat body and bearer auth; OpenAI-style chunks (reasoning_content deltas,
// whole tool calls in one chunk).
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';

export const provider = openAICompatibleProvider({
  name: 'xai',
  displayName: 'xAI',
  defaultBaseUrl: 'https://api.x.ai',
});
