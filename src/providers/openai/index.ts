// OpenAI chat completions: the request is forwarded as the client wrote it, the chunks streamed as they are.
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';
import { openAIChatGenerator } from '../openai-compatible/fuzz.ts';

export const provider = openAICompatibleProvider({
  name: 'openai',
  displayName: 'OpenAI',
  defaultBaseUrl: 'https://api.openai.com',
  fuzz: openAIChatGenerator({ annotationsAndModeration: true }),
});
