// The descriptor of an upstream that takes the OpenAI chat body and streams OpenAI chat chunks:
// such a provider is one call to openAICompatibleProvider in its folder's index.ts.
import type { FinishReason } from '../../canonical/events.ts';
import type { StreamGenerator } from '../stream-model.ts';
import type { ChatRequest, ProviderDescriptor, ProviderRoute } from '../types.ts';
import { buildOpenAICompatibleRequest } from './chat-request.ts';
import { createOpenAIChatDecoder } from './chat-stream.ts';

export interface OpenAICompatibleProvider {
  name: string;
  displayName: string;
  /** The real provider's base URL, used when a route gives none. */
  defaultBaseUrl: string;
  /** The upstream path (default `/v1/chat/completions`); a function where it depends on the route (Azure's deployment). */
  path?: string | ((request: ChatRequest, route: ProviderRoute) => string);
  /** Query parameters (default none), e.g. Azure's api-version. */
  query?: (request: ChatRequest, route: ProviderRoute) => Record<string, string>;
  /** How the route's key is sent: `Authorization: Bearer` (default) or as the value of a named header. */
  authHeader?: 'bearer' | string;
  /**
   * Headers filled from route options when the route's own headers do not set them, by lower-case
   * header name: e.g. Helicone's `helicone-auth` from the `heliconeKey` option, as `Bearer <key>`.
   */
  optionHeaders?: Record<string, { option: string; prefix?: string }>;
  /** Provider-specific finish reasons mapped to OpenAI's (e.g. Together's "eos"). */
  finishReasons?: Record<string, FinishReason>;
  /**
   * The upstream's completion_tokens leave reasoning tokens out (xAI): normalize mode adds them, so
   * its usage says what OpenAI's would. Passthrough forwards the upstream's numbers unchanged.
   */
  reasoningTokensOutsideCompletion?: boolean;
  /** The fuzz generator: `openAIChatGenerator(flavor)` from ./fuzz.ts, with the provider's chunk quirks. */
  fuzz: StreamGenerator;
  /** Route options for harness runs against the replay upstream (never real secrets). */
  harnessOptions?: Record<string, string>;
}

export function openAICompatibleProvider(spec: OpenAICompatibleProvider): ProviderDescriptor {
  const { path, query, authHeader, optionHeaders, finishReasons, reasoningTokensOutsideCompletion } = spec;
  return {
    name: spec.name,
    displayName: spec.displayName,
    defaultBaseUrl: spec.defaultBaseUrl,
    supportsPassthrough: true,
    buildRequest(request, route) {
      const upstream = buildOpenAICompatibleRequest(request, route, {
        path: typeof path === 'function' ? path(request, route) : path,
        query: query?.(request, route),
        authHeader,
      });
      for (const [header, { option, prefix = '' }] of Object.entries(optionHeaders ?? {})) {
        const value = route.options[option];
        if (upstream.headers[header] === undefined && value !== undefined) upstream.headers[header] = `${prefix}${value}`;
      }
      return upstream;
    },
    createStreamDecoder: (context) => createOpenAIChatDecoder(context, { finishReasons, reasoningTokensOutsideCompletion }),
    fuzz: spec.fuzz,
    ...(spec.harnessOptions ? { harnessOptions: spec.harnessOptions } : {}),
  };
}
