// The fuzz generator for Straico (docs/provider-formats.md section 11): no stream at all, one
// chat.completion body (plus price and words) after the upstream's latency; tool calls come back
// as the XML the gateway asked for in the prompt.
import type { StreamGenerator, StreamModel } from '../stream-model.ts';

const XML_TAGS = /<\/?tool_calls?>/g;

export const fuzz: StreamGenerator = {
  framing: 'json',
  includeUsage: true,
  inventsToolCallIds: true,
  model: { reasoning: false },
  // Free text cannot hold the tool-call tags, and text around calls is trimmed by design.
  adjust: (m) => ({ ...m, text: m.toolCalls.length ? [] : m.text.map((t) => t.replace(XML_TAGS, '')).filter(Boolean) }),
  generate(m: StreamModel) {
    const calls = m.toolCalls
      .map((c) => `<tool_call><name>${c.name}</name><arguments>${JSON.stringify(c.args)}</arguments></tool_call>`)
      .join('\n');
    const usage = m.usage ?? { prompt: 0, completion: 0 };
    return JSON.stringify({
      id: m.id,
      object: 'chat.completion',
      created: m.created,
      model: m.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: m.text.join('') + calls },
          finish_reason: m.finish === 'tool_calls' ? 'stop' : m.finish,
        },
      ],
      usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
      price: { input: 0.5, output: 1.2, total: 1.7 },
      words: { input: 12, output: 30, total: 42 },
    });
  },
};
