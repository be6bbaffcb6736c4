// Canonical events → OpenAI chat-completion chunks (the client dialect), as SSE text.
//
// Output is a pure function of the event sequence: the same events give the same bytes however
// the upstream was chunked. Usage is held and written once, as OpenAI does, in a `choices: []`
// chunk after the last finish and before [DONE] (only when the client asked for it with
// stream_options.include_usage). Errors end the stream with an OpenAI-shaped error event and no
// [DONE], so no client can mistake a failed stream for a finished one.
import type { CanonicalEvent, CanonicalUsage, StreamEnd } from './events.ts';

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
  let prefix: string | null = null; // `{"id":…,"object":…,"created":…,"model":…` shared by every chunk
  let usage: CanonicalUsage | null = null;
  let closed = false;
  const rolesSent = new Set<number>();

  function begin(id: string, model: string, created: number): string {
    prefix = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)}`;
    rolesSent.add(0);
    return chunk(0, '{"role":"assistant","content":""}', 'null');
  }

  function ensureStarted(): string {
    if (prefix !== null) return '';
    const s = options.fallbackStart();
    return begin(s.id, s.model, s.created);
  }

  function chunk(choice: number, delta: string, finish: string): string {
    return `data: ${prefix}${`,"choices":[{"index":${choice},"delta":${delta},"finish_reason":${finish}}]}`}\n\n`;
  }

  function content(choice: number, fields: string): string {
    // The first delta of a choice other than 0 carries the role, as OpenAI's n>1 streams do.
    if (!rolesSent.has(choice)) {
      rolesSent.add(choice);
      return chunk(choice, `{"role":"assistant",${fields}}`, 'null');
    }
    return chunk(choice, `{${fields}}`, 'null');
  }

  return {
    encode(event) {
      if (closed) return '';
      switch (event.type) {
        case 'start':
          return prefix === null ? begin(event.id, event.model, event.created) : '';
        case 'text-delta':
          return ensureStarted() + content(event.choice, `"content":${JSON.stringify(event.text)}`);
        case 'reasoning-delta':
          // A signature-only delta carries no text: OpenAI chunks have nowhere to put it.
          if (event.text === '') return '';
          return ensureStarted() + content(event.choice, `"reasoning_content":${JSON.stringify(event.text)}`);
        case 'refusal-delta':
          return ensureStarted() + content(event.choice, `"refusal":${JSON.stringify(event.text)}`);
        case 'tool-call-start':
          return (
            ensureStarted() +
            content(
              event.choice,
              `"tool_calls":[{"index":${event.index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]`,
            )
          );
        case 'tool-call-delta':
          return (
            ensureStarted() +
            content(event.choice, `"tool_calls":[{"index":${event.index},"function":{"arguments":${JSON.stringify(event.arguments)}}}]`)
          );
        case 'finish':
          return ensureStarted() + chunk(event.choice, '{}', JSON.stringify(event.reason));
        case 'usage':
          usage = event.usage;
          return '';
        case 'error': {
          closed = true;
          const error = {
            message: event.message,
            type: event.errorType ?? errorTypeFor(event.kind),
            param: null,
            code: event.code ?? null,
          };
          return `data: ${JSON.stringify({ error })}\n\n`;
        }
        case 'comment':
          return '';
        default: {
          const exhaustive: never = event;
          return exhaustive;
        }
      }
    },
    open() {
      return closed ? '' : ensureStarted();
    },
    finish() {
      if (closed) return '';
      closed = true;
      let out = ensureStarted();
      if (options.includeUsage && usage !== null) out += `data: ${prefix},"choices":[],"usage":${encodeUsage(usage)}}\n\n`;
      return out + 'data: [DONE]\n\n';
    },
    get closed() {
      return closed;
    },
  };
}

export function encodeUsage(u: CanonicalUsage): string {
  let s = `{"prompt_tokens":${u.promptTokens},"completion_tokens":${u.completionTokens},"total_tokens":${u.totalTokens}`;
  if (u.cachedPromptTokens !== undefined) s += `,"prompt_tokens_details":{"cached_tokens":${u.cachedPromptTokens}}`;
  if (u.reasoningTokens !== undefined) s += `,"completion_tokens_details":{"reasoning_tokens":${u.reasoningTokens}}`;
  return s + '}';
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
