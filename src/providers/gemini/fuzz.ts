// The fuzz generator for Gemini's `alt=sse` stream (docs/provider-formats.md sections 5 and 6a),
// direct and on Vertex AI: CRLF framing, no terminator, cumulative usageMetadata, function calls
// arriving whole. Every other stream (by the model's `created`) also carries what real streams add
// and a decoder must not turn into anything: server-side parts (executableCode,
// codeExecutionResult, and on the Gemini API toolCall/toolResponse), groundingMetadata, prompt
// tokens split into toolUsePromptTokenCount, usage that goes down before the last chunk and a zero
// candidatesTokenCount left out; on Vertex, function calls whose arguments stream as partialArgs.
import type { StreamGenerator, StreamModel } from '../stream-model.ts';

const FINISH: Record<StreamModel['finish'], string> = { stop: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP', content_filter: 'SAFETY' };

type Part = Record<string, unknown>;

/** Calls whose arguments can be said as partialArgs: no empty object or array anywhere below the top. */
function streamable(value: unknown, top = true): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => streamable(v, false));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return (top || keys.length > 0) && keys.every((k) => streamable((value as Record<string, unknown>)[k], false));
  }
  return true;
}

/** The leaves of `value` as Vertex partialArgs, strings of two or more characters cut in two. */
function partialArgs(value: unknown, path: string, out: Record<string, unknown>[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) partialArgs(value[i], `${path}[${i}]`, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) partialArgs(v, `${path}.${k}`, out);
  } else if (typeof value === 'string') {
    let cut = Math.floor(value.length / 2);
    const code = value.charCodeAt(cut);
    if (code >= 0xdc00 && code <= 0xdfff) cut++; // never between the halves of a surrogate pair
    if (cut > 0 && cut < value.length) {
      out.push({ jsonPath: path, stringValue: value.slice(0, cut), willContinue: true });
      out.push({ jsonPath: path, stringValue: value.slice(cut) });
    } else {
      out.push({ jsonPath: path, stringValue: value });
    }
  } else if (typeof value === 'number') {
    out.push({ jsonPath: path, numberValue: value });
  } else if (typeof value === 'boolean') {
    out.push({ jsonPath: path, boolValue: value });
  } else {
    out.push({ jsonPath: path, nullValue: null });
  }
}

function geminiStream(m: StreamModel, vertex: boolean): string {
  const extras = m.created % 2 === 1;
  const chunks: Part[][] = [...m.reasoning.map((r) => [{ text: r, thought: true }]), ...m.text.map((t) => [{ text: t }])];
  if (extras) {
    const server: Part[] = [
      { executableCode: { language: 'PYTHON', code: 'print(6 * 7)' } },
      { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '42\n' } },
    ];
    if (!vertex)
      server.push(
        { toolCall: { id: 'tc_1', toolType: 'GOOGLE_SEARCH_WEB', args: { queries: ['x'] } } },
        { toolResponse: { id: 'tc_1', toolType: 'GOOGLE_SEARCH_WEB' } },
      );
    chunks.splice(m.reasoning.length, 0, server);
  }
  if (m.toolCalls.length) {
    if (vertex && extras) {
      // Each call streams: name + willContinue, its arguments in one part per leaf, then functionCall {}.
      for (const call of m.toolCalls) {
        if (!streamable(call.args)) {
          chunks.push([{ functionCall: { name: call.name, args: call.args } }]);
          continue;
        }
        const args: Record<string, unknown>[] = [];
        partialArgs(call.args, '$', args);
        chunks.push([{ functionCall: { name: call.name, willContinue: true } }]);
        for (const a of args) chunks.push([{ functionCall: { partialArgs: [a], willContinue: true } }]);
        chunks.push([{ functionCall: {} }]);
      }
    } else {
      chunks.push(m.toolCalls.map((c) => ({ functionCall: { name: c.name, args: c.args } })));
    }
  }
  if (chunks.length === 0) chunks.push([{ text: '' }]);
  const usage = m.usage ?? { prompt: 0, completion: 0 };
  return chunks
    .map((p, i) => {
      const last = i === chunks.length - 1;
      // Cumulative: every chunk reports the counts so far; the last one the totals (with extras,
      // earlier chunks overstate the prompt: the last statement wins even when it is lower).
      const completion = last ? usage.completion : Math.floor((usage.completion * (i + 1)) / chunks.length);
      const prompt = last || !extras ? usage.prompt : usage.prompt + 7;
      const candidate: Record<string, unknown> = { content: { parts: p, role: 'model' } };
      if (last) candidate['finishReason'] = FINISH[m.finish];
      if (last && extras)
        candidate['groundingMetadata'] = {
          webSearchQueries: ['x'],
          groundingChunks: [{ web: { uri: 'https://example.com/', title: 'Example' } }],
        };
      if (!vertex) candidate['index'] = 0; // Vertex leaves the index out
      const toolUse = extras ? Math.floor(prompt / 3) : 0;
      const meta: Record<string, unknown> = { promptTokenCount: prompt - toolUse };
      if (completion !== 0) meta['candidatesTokenCount'] = completion; // proto3 JSON omits zeros
      meta['totalTokenCount'] = prompt + completion;
      if (toolUse !== 0) meta['toolUsePromptTokenCount'] = toolUse;
      const chunk = { candidates: [candidate], usageMetadata: meta, modelVersion: m.model, responseId: m.id.slice(9) };
      return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
    })
    .join('');
}

function generator(vertex: boolean): StreamGenerator {
  return {
    framing: 'sse',
    includeUsage: true,
    inventsToolCallIds: true,
    generate: (m) => geminiStream(m, vertex),
    // A final CR alone still ends the blank line: only a cut before it loses the last chunk.
    completeLength: (body: Buffer) => body.length - 1,
    errorEvent: (message: string) => `data: ${JSON.stringify({ error: { code: 503, message, status: 'UNAVAILABLE' } })}\r\n\r\n`,
  };
}

/** The Gemini API's stream. */
export const fuzz: StreamGenerator = generator(false);

/** Gemini on Vertex AI: no candidate index, and function-call arguments that stream as partialArgs. */
export const vertexFuzz: StreamGenerator = generator(true);
