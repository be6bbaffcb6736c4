// Backend.AI model serving exposes a vLLM OpenAI-compatible server; the key, if any, is bearer.
// vLLM chunks (exclude_unset JSON, stop_reason, delta.reasoning); an error event is followed by
// [DONE], which the shared decoder ignores once the error has ended the stream.
import { openAICompatibleProvider } from '../openai-compatible/provider.ts';
import { openAIChatGenerator } from '../openai-compatible/fuzz.ts';

export const provider = openAICompatibleProvider({
  name: 'backendai',
  displayName: 'Backend.AI model serving',
  defaultBaseUrl: 'http://127.0.0.1:8000',
  fuzz: openAIChatGenerator({ reasoningField: 'reasoning' }),
});
