// xAI (Grok): OpenAI chat body and bearer auth; OpenAI-style chunks (reasoning_content deltas,
// whole tool calls in one chunk, cumulative usage on every chunk, finish_reason on the last
// content chunk). completion_tokens leaves reasoning tokens out, which OpenAI counts inside it.
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';
import { openAIChatGenerator } from '../openai-compatible/fuzz.ts';

export const provider = openAICompatibleProvider({
  name: 'xai',
  displayName: 'xAI',
  defaultBaseUrl: 'https://api.x.ai',
  reasoningTokensOutsideCompletion: true,
  fuzz: openAIChatGenerator({ wholeToolCalls: true, reasoningOutsideCompletion: true, usageOnEveryChunk: true }),
});
