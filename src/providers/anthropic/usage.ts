// Anthropic usage, which arrives in halves (message_start, message_delta), merged into one
// OpenAI-shaped usage.
import type { CanonicalUsage } from '../../canonical/events.ts';

type Json = Record<string, unknown>;

/**
 * Anthropic counts input_tokens without the cached part; OpenAI's prompt_tokens include it. So
 * prompt = input + cache_read + cache_creation, with cache_read as OpenAI's cached_tokens.
 * message_delta repeats fields with their final values, so a later value replaces an earlier one.
 */
export function createUsageTally() {
  const fields: Record<'input_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens' | 'output_tokens', number | undefined> = {
    input_tokens: undefined,
    cache_read_input_tokens: undefined,
    cache_creation_input_tokens: undefined,
    output_tokens: undefined,
  };
  let seen = false;
  return {
    add(u: Json): void {
      for (const key of Object.keys(fields) as (keyof typeof fields)[]) {
        const v = u[key];
        if (typeof v === 'number') {
          fields[key] = v;
          seen = true;
        }
      }
    },
    result(): CanonicalUsage | null {
      if (!seen) return null;
      const cacheRead = fields.cache_read_input_tokens;
      const promptTokens = (fields.input_tokens ?? 0) + (cacheRead ?? 0) + (fields.cache_creation_input_tokens ?? 0);
      const completionTokens = fields.output_tokens ?? 0;
      const usage: CanonicalUsage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
      if (cacheRead !== undefined) usage.cachedPromptTokens = cacheRead;
      return usage;
    },
  };
}
