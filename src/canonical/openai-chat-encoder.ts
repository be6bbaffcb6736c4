// Canonical events → OpenAI chat-completion chunks (the client dialect), as SSE text.
//
// Output is a pure function of the event sequence: the same events give the same bytes however
// the upstream was chunked. Usage is held and written once, as OpenAI does, in a `choices: []`
// chunk after the last finish and before [DONE] (only when the client asked for it with
// stream_options.include_usage). Errors end the stream with an OpenAI-shaped error event and no
// [DONE], so no client can mistake a failed stream for a finished one.
import type { CanonicalEvent, CanonicalUsage } from './events.ts';

export interface OpenAIChatEncoderOptions {
  includeUsage: boolean;
  /** Used when no start event arrives before the first content (providers that send no id). */
  fallbackStart: () => { id: string; model: string; created: number };
}

export interface OpenAIChatEncoder {
  /** Encodes one event; returns the SSE text to write ('' when nothing is due yet). */
  encode(event: CanonicalEvent): string;
  /** Writes the role chunk now (for streams the gateway synthesises before any upstream data). */
  open(): string;
  /** The upstream ended cleanly: writes held usage and [DONE]. */
  finish(): string;
  /** True once a terminal error or [DONE] has been written. */
  readonly closed: boolean;
}

export function createOpenAIChatEncoder(options: OpenAIChatEncoderOptions): OpenAIChatEncoder {
  return new ChatChunkEncoder(options);
}

// A class rather than a closure: one encoder per open stream, so methods live on the prototype.
class ChatChunkEncoder implements OpenAIChatEncoder {
  private prefix: string | null = null; // `{"id":…,"object":…,"created":…,"model":…` shared by every chunk
  private usage: CanonicalUsage | null = null;
  private done = false;
  /** Choices whose role has been sent; choice 0's goes in the first chunk. */
  private rolesSent: number[] = [];

  constructor(private readonly options: OpenAIChatEncoderOptions) {}

  get closed(): boolean {
    return this.done;
  }

  encode(event: CanonicalEvent): string {
    if (this.done) return '';
    switch (event.type) {
      case 'start':
        return this.prefix === null ? this.begin(event.id, event.model, event.created) : '';
      case 'text-delta':
        return this.ensureStarted() + this.content(event.choice, `"content":${JSON.stringify(event.text)}`);
      case 'reasoning-delta':
        // A signature-only delta carries no text: OpenAI chunks have nowhere to put it.
        if (event.text === '') return '';
        return this.ensureStarted() + this.content(event.choice, `"reasoning_content":${JSON.stringify(event.text)}`);
      case 'refusal-delta':
        return this.ensureStarted() + this.content(event.choice, `"refusal":${JSON.stringify(event.text)}`);
      case 'tool-call-start':
        return (
          this.ensureStarted() +
          this.content(
            event.choice,
            `"tool_calls":[{"index":${event.index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]`,
          )
        );
      case 'tool-call-delta':
        return (
          this.ensureStarted() +
          this.content(event.choice, `"tool_calls":[{"index":${event.index},"function":{"arguments":${JSON.stringify(event.arguments)}}}]`)
        );
      case 'finish':
        return this.ensureStarted() + this.chunk(event.choice, '{}', JSON.stringify(event.reason));
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'error': {
        this.done = true;
        const error = { message: event.message, type: event.errorType ?? errorTypeFor(event.kind), param: null, code: event.code ?? null };
        return `data: ${JSON.stringify({ error })}\n\n`;
      }
      case 'comment':
        return '';
      default: {
        const exhaustive: never = event;
        return exhaustive;
      }
    }
  }

  open(): string {
    return this.done ? '' : this.ensureStarted();
  }

  finish(): string {
    if (this.done) return '';
    this.done = true;
    let out = this.ensureStarted();
    if (this.options.includeUsage && this.usage !== null)
      out += `data: ${this.prefix},"choices":[],"usage":${encodeUsage(this.usage)}}\n\n`;
    return `${out}data: [DONE]\n\n`;
  }

  private begin(id: string, model: string, created: number): string {
    this.prefix = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)}`;
    this.rolesSent.push(0);
    return this.chunk(0, '{"role":"assistant","content":""}', 'null');
  }

  private ensureStarted(): string {
    if (this.prefix !== null) return '';
    const s = this.options.fallbackStart();
    return this.begin(s.id, s.model, s.created);
  }

  private chunk(choice: number, delta: string, finish: string): string {
    return `data: ${this.prefix},"choices":[{"index":${choice},"delta":${delta},"finish_reason":${finish}}]}\n\n`;
  }

  private content(choice: number, fields: string): string {
    // The first delta of a choice other than 0 carries the role, as OpenAI's n>1 streams do.
    if (!this.rolesSent.includes(choice)) {
      this.rolesSent.push(choice);
      return this.chunk(choice, `{"role":"assistant",${fields}}`, 'null');
    }
    return this.chunk(choice, `{${fields}}`, 'null');
  }
}

export function encodeUsage(u: CanonicalUsage): string {
  let s = `{"prompt_tokens":${u.promptTokens},"completion_tokens":${u.completionTokens},"total_tokens":${u.totalTokens}`;
  if (u.cachedPromptTokens !== undefined) s += `,"prompt_tokens_details":{"cached_tokens":${u.cachedPromptTokens}}`;
  if (u.reasoningTokens !== undefined) s += `,"completion_tokens_details":{"reasoning_tokens":${u.reasoningTokens}}`;
  return `${s}}`;
}

/** The OpenAI error `type` a client sees for each kind of failure. */
export function errorTypeFor(kind: Extract<CanonicalEvent, { type: 'error' }>['kind']): string {
  switch (kind) {
    case 'auth':
      return 'authentication_error';
    case 'rate_limit':
      return 'rate_limit_error';
    case 'overloaded':
      return 'overloaded_error';
    case 'bad_request':
      return 'invalid_request_error';
    case 'timeout':
      return 'timeout_error';
    case 'truncated':
    case 'malformed':
    case 'upstream':
      return 'upstream_error';
    case 'internal':
      return 'server_error';
  }
}
