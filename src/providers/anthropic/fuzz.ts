// The fuzz generator for the Anthropic Messages stream (docs/provider-formats.md section 4), direct
// and on Vertex AI; claudeEvents is shared with Bedrock's InvokeModelWithResponseStream (section 7e).
import { argumentFragments, type StreamGenerator, type StreamModel } from '../stream-model.ts';

const STOP_REASON: Record<StreamModel['finish'], string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

/** The Claude stream events for a model, as objects in wire order. */
export function claudeEvents(m: StreamModel): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const usage = m.usage ?? { prompt: 0, completion: 0 };
  events.push({
    type: 'message_start',
    message: {
      id: `msg_${m.id.slice(9)}`,
      type: 'message',
      role: 'assistant',
      model: m.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.prompt, output_tokens: 1 },
    },
  });
  events.push({ type: 'ping' });
  let index = 0;
  if (m.reasoning.length) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } });
    for (const r of m.reasoning) events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: r } });
    events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxqZ' } });
    events.push({ type: 'content_block_stop', index });
    index++;
  }
  if (m.text.length) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const t of m.text) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
    events.push({ type: 'content_block_stop', index });
    index++;
  }
  for (const call of m.toolCalls) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
    for (const f of argumentFragments(call))
      events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: f } });
    events.push({ type: 'content_block_stop', index });
    index++;
  }
  events.push({
    type: 'message_delta',
    delta: { stop_reason: STOP_REASON[m.finish], stop_sequence: null },
    usage: { output_tokens: usage.completion },
  });
  events.push({ type: 'message_stop' });
  return events;
}

/** Real Anthropic payloads carry whitespace padding before the closing brace of most events. */
function sse(event: Record<string, unknown>): string {
  const json = JSON.stringify(event);
  const padded = event['type'] === 'ping' || event['type'] === 'message_stop' ? json : `${json.slice(0, -1)}      }`;
  return `event: ${String(event['type'])}\ndata: ${padded}\n\n`;
}

export const fuzz: StreamGenerator = {
  framing: 'sse',
  includeUsage: true,
  terminator: 'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  generate: (m: StreamModel) => claudeEvents(m).map(sse).join(''),
  errorEvent: (message: string) => sse({ type: 'error', error: { type: 'overloaded_error', message } }),
};
