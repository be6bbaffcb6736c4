// Reads one cassette with the official @google/genai SDK over real loopback (the replay upstream)
// and sums up what the SDK saw. Shared by the gemini and vertex-gemini realism suites: Vertex
// streams the same body, and the replay serves a bound cassette for any path on its slot, so the
// plain (non-Vertex) client reads Vertex cassettes too.
import { ApiError, GoogleGenAI, type GenerateContentResponseUsageMetadata } from '@google/genai';
import type { Cassette } from '../../../src/cassette/cassette.ts';
import type { ReplayExchange, ReplayUpstream } from '../../../src/replay/upstream.ts';

export interface SdkView {
  text: string;
  reasoning: string;
  calls: { name: string | undefined; args: unknown }[];
  /** Vertex streamed-argument values the SDK handed out (it does not assemble them). */
  partialArgs: number;
  usage: GenerateContentResponseUsageMetadata | undefined;
  finishReason: string | undefined;
  blockReason: string | undefined;
  error: unknown;
}

export async function readWithGenai(
  replay: ReplayUpstream,
  cassette: Cassette,
  exchanges: ReplayExchange[],
): Promise<{ view: SdkView; exchange: ReplayExchange | undefined }> {
  const slot = cassette.provider;
  replay.bind(slot, { cassette, chunks: cassette.response.chunks, speed: 0 });
  const before = exchanges.length;
  const client = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: replay.baseUrl(slot) } });
  const view: SdkView = {
    text: '',
    reasoning: '',
    calls: [],
    partialArgs: 0,
    usage: undefined,
    finishReason: undefined,
    blockReason: undefined,
    error: null,
  };
  try {
    const stream = await client.models.generateContentStream({ model: String(cassette.request.body['model']), contents: 'replayed' });
    for await (const chunk of stream) {
      if (chunk.usageMetadata) view.usage = chunk.usageMetadata;
      if (chunk.promptFeedback?.blockReason) view.blockReason = chunk.promptFeedback.blockReason;
      const candidate = chunk.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        // Vertex streamed arguments: the SDK hands out each part as it is (a named start, then
        // nameless parts with partialArgs); it assembles nothing, so only named parts are calls here.
        if (part.functionCall) {
          if (part.functionCall.name) view.calls.push({ name: part.functionCall.name, args: part.functionCall.args ?? {} });
          view.partialArgs += part.functionCall.partialArgs?.length ?? 0;
        } else if (part.thought && part.text) view.reasoning += part.text;
        else if (part.text) view.text += part.text;
      }
      if (candidate?.finishReason) view.finishReason = candidate.finishReason;
    }
  } catch (err) {
    view.error = err;
  }
  // The replay reports an exchange once its response is over; give it a turn to land.
  for (let i = 0; i < 50 && exchanges.length === before; i++) await new Promise((r) => setTimeout(r, 5));
  return { view, exchange: exchanges[before] };
}

export { ApiError };
