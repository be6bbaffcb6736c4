// What every provider folder exports: a descriptor with request translation and a stream decoder.
import type { CanonicalEvent } from '../canonical/events.ts';
import type { StreamGenerator } from './stream-model.ts';

/** The OpenAI chat request as the client sent it (model already resolved to the upstream name). */
export type ChatRequest = Record<string, unknown> & { model: string; stream?: boolean };

/** A configured route to one provider (from the gateway config). */
export interface ProviderRoute {
  /** Provider base URL without a trailing slash, e.g. https://api.openai.com */
  baseUrl: string;
  /** The credential; never logged, never written to a report. */
  apiKey?: string;
  /** Extra headers sent upstream (e.g. Helicone-Auth), already resolved. */
  headers: Record<string, string>;
  /** Provider-specific settings (e.g. Azure's apiVersion and deployment). */
  options: Record<string, string>;
}

export interface UpstreamRequest {
  method: 'POST';
  /** Path relative to the route's base URL, starting with '/'. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export interface DecoderContext {
  /** Invents ids where the upstream gives none (deterministic in harness runs). */
  newId(prefix: string): string;
  /** Unix seconds, injected so outputs are reproducible. */
  now(): number;
  /** The model name the client asked for, for providers whose stream does not say. */
  model: string;
  /** Largest SSE line the decoder will buffer. */
  maxLineBytes?: number;
  /** Largest SSE event (its data lines together) the decoder will buffer. */
  maxEventBytes?: number;
}

/** Native upstream bytes in, canonical events out. One instance per upstream response. */
export interface StreamDecoder {
  feed(chunk: Buffer, out: CanonicalEvent[]): void;
  /** The upstream body ended; pushes a terminal error if the stream was cut short. */
  end(out: CanonicalEvent[]): void;
  /** Bytes held for incomplete input (memory gauge). */
  readonly bufferedBytes: number;
}

export interface ProviderDescriptor {
  name: string;
  displayName: string;
  /** The real provider's base URL, used when a route gives none. */
  defaultBaseUrl: string;
  /** Passthrough forwards upstream events unchanged: only for upstreams that speak OpenAI chat chunks. */
  supportsPassthrough: boolean;
  /**
   * Translates the client's request. The gateway sets `stream: true` whenever it will read the
   * upstream as a stream (also for a non-streaming client it answers from the aggregated
   * events); a provider whose upstream cannot stream ignores it. May be async (request signing).
   */
  buildRequest(request: ChatRequest, route: ProviderRoute): UpstreamRequest | Promise<UpstreamRequest>;
  createStreamDecoder(context: DecoderContext): StreamDecoder;
  /**
   * The fuzz generator: the bytes this upstream sends for a generated meaning. With it the provider
   * joins every fuzz property (`streamproof fuzz`); providers sharing a dialect share one.
   */
  fuzz: StreamGenerator;
  /**
   * For upstreams that do not stream (the decoder only sees the body at the end): the gateway
   * writes the role chunk as soon as the client's stream opens, and heartbeats while it waits.
   */
  synthesizesStream?: boolean;
  /**
   * Route options for harness runs against the replay upstream (a fake project id, region or
   * credentials): never real secrets.
   */
  harnessOptions?: Record<string, string>;
}
