// The fuzz generator for Gemini's `alt=sse` stream (docs/provider-formats.md sections 5 and 6a),
// direct and on Vertex AI: CRLF framing, no terminator, cumulative usageMetadata, function calls
// arriving whole.
import type { StreamGenerator, StreamModel } from '../stream-model.ts';

const FINISH: Record<StreamModel['finish'], string> = { stop: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP', content_filter: 'SAFETY' };

function geminiStream(m: StreamModel): string {
  const parts: Record<string, unknown>[][] = [...m.reasoning.map((r) => [{ text: r, thought: true }]), ...m.text.map((t) => [{ text: t }])];
  if (m.toolCalls.length) parts.push(m.toolCalls.map((c) => ({ functionCall: { name: c.name, args: c.args } })));
  if (parts.length === 0) parts.push([{ text: '' }]);
  const usage = m.usage ?? { prompt: 0, completion: 0 };
  return parts
    .map((p, i) => {
      const last = i === parts.length - 1;
      // Cumulative: every chunk reports the counts so far; the last one the totals.
      const completion = last ? usage.completion : Math.floor((usage.completion * (i + 1)) / parts.length);
      const candidate: Record<string, unknown> = { content: { parts: p, role: 'model' } };
      if (last) candidate['finishReason'] = FINISH[m.finish];
      candidate['index'] = 0;
      const chunk = {
        candidates: [candidate],
        usageMetadata: { promptTokenCount: usage.prompt, candidatesTokenCount: completion, totalTokenCount: usage.prompt + completion },
        modelVersion: m.model,
        responseId: m.id.slice(9),
      };
      return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
    })
    .join('');
}

export const fuzz: StreamGenerator = {
  framing: 'sse',
  includeUsage: true,
  inventsToolCallIds: true,
  generate: geminiStream,
  // A final CR alone still ends the blank line: only a cut before it loses the last chunk.
  completeLength: (body: Buffer) => body.length - 1,
  errorEvent: (message: string) => `data: ${JSON.stringify({ error: { code: 503, message, status: 'UNAVAILABLE' } })}\r\n\r\n`,
};
