// Together AI through the Helicone proxy: Together's request, Helicone's base URL, plus the
// Helicone-Auth header (configured on the route, or from the heliconeKey option); the provider key
// stays in Authorization. Helicone proxies Together's stream body through unchanged.
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';
import { TOGETHER_FINISH_REASONS, provider as together } from '../together/index.ts';

export const provider = openAICompatibleProvider({
  name: 'together-helicone',
  displayName: 'Together AI via Helicone',
  defaultBaseUrl: 'https://together.helicone.ai',
  optionHeaders: { 'helicone-auth': { option: 'heliconeKey', prefix: 'Bearer ' } },
  finishReasons: TOGETHER_FINISH_REASONS,
  fuzz: together.fuzz,
  harnessOptions: { heliconeKey: 'sk-helicone-streamproof' },
});
