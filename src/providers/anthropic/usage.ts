// Anthropic usage, which arrives in halves (message_start, message_delta), merged into one
// OpenAI-shaped usage.
import type { CanonicalUsage } from '../../canonical/events.ts';
import type { JsonObject } from '../../base/json.ts';

/**
 * Anthropic counts input_tokens without the cached part; OpenAI's prompt_tokens include it. So
 * prompt = input + cache_read + cache_creation, with cache_read as OpenAI's cached_tokens.
 * message_delta repeats fields with their final values, so a later value replaces an earlier one.
 *
 * A class (one per open stream): the counts are fields, the methods live on the prototype.
 */
export class UsageTally {
  private inputTokens: number | undefined = undefined;
  private cacheReadInputTokens: number | undefined = undefined;
  private cacheCreationInputTokens: number | undefined = undefined;
  private outputTokens: number | undefined = undefined;
  private seen = false;

  add(u: JsonObject): void {
    const input = u['input_tokens'];
    if (typeof input === 'number') {
      this.inputTokens = input;
      this.seen = true;
    }
    const cacheRead = u['cache_read_input_tokens'];
    if (typeof cacheRead === 'number') {
      this.cacheReadInputTokens = cacheRead;
      this.seen = true;
    }
    const cacheCreation = u['cache_creation_input_tokens'];
    if (typeof cacheCreation === 'number') {
      this.cacheCreationInputTokens = cacheCreation;
      this.seen = true;
    }
    const output = u['output_tokens'];
    if (typeof output === 'number') {
      this.outputTokens = output;
      this.seen = true;
    }
  }

  /**
   * Counts from elsewhere (Bedrock's invocation metrics) for the fields the stream left out; a
   * field the stream gave keeps its value.
   */
  fillMissing(input: unknown, output: unknown, cacheRead: unknown, cacheCreation: unknown): void {
    if (this.inputTokens === undefined && typeof input === 'number') {
      this.inputTokens = input;
      this.seen = true;
    }
    if (this.outputTokens === undefined && typeof output === 'number') {
      this.outputTokens = output;
      this.seen = true;
    }
    if (this.cacheReadInputTokens === undefined && typeof cacheRead === 'number') {
      this.cacheReadInputTokens = cacheRead;
      this.seen = true;
    }
    if (this.cacheCreationInputTokens === undefined && typeof cacheCreation === 'number') {
      this.cacheCreationInputTokens = cacheCreation;
      this.seen = true;
    }
  }

  result(): CanonicalUsage | null {
    if (!this.seen) return null;
    const cacheRead = this.cacheReadInputTokens;
    const promptTokens = (this.inputTokens ?? 0) + (cacheRead ?? 0) + (this.cacheCreationInputTokens ?? 0);
    const completionTokens = this.outputTokens ?? 0;
    const usage: CanonicalUsage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
    if (cacheRead !== undefined) usage.cachedPromptTokens = cacheRead;
    return usage;
  }
}

export function createUsageTally(): UsageTally {
  return new UsageTally();
}
