// The fuzz generator for the Anthropic Messages stream (docs/provider-formats.md section 4), direct
// and on Vertex AI; claudeEvents is shared with Bedrock's InvokeModelWithResponseStream (section 7e).
import { argumentFragments, type StreamGenerator, type StreamModel } from '../stream-model.ts';

const STOP_REASON: Record<StreamModel['finish'], string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

/**
 * The Claude stream events for a model, as objects in wire order. Every other stream (by the
 * model's `created`) also carries what real streams add and a reader must not turn into anything:
 * redacted_thinking, a compaction block with compaction_delta, server_tool_use with its
 * web_search_tool_result, a citations_delta inside the text, a block and a delta type newer than
 * the reader, and prompt tokens split into input, cache read and cache creation.
 */
export function claudeEvents(m: StreamModel): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const usage = m.usage ?? { prompt: 0, completion: 0 };
  const extras = m.created % 2 === 1;
  const cacheRead = extras ? Math.floor(usage.prompt / 2) : 0;
  const cacheCreation = extras ? Math.floor(usage.prompt / 4) : 0;
  const inputUsage: Record<string, number> = { input_tokens: usage.prompt - cacheRead - cacheCreation, output_tokens: 1 };
  if (extras) Object.assign(inputUsage, { cache_read_input_tokens: cacheRead, cache_creation_input_tokens: cacheCreation });
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
      usage: inputUsage,
    },
  });
  events.push({ type: 'ping' });
  let index = 0;
  if (extras) {
    const block = (content_block: Record<string, unknown>, deltas: Record<string, unknown>[] = []) => {
      events.push({ type: 'content_block_start', index, content_block });
      for (const delta of deltas) events.push({ type: 'content_block_delta', index, delta });
      events.push({ type: 'content_block_stop', index });
      index++;
    };
    block({ type: 'redacted_thinking', data: 'RXFRQkNnSVlBaElN' });
    block({ type: 'compaction', content: '' }, [{ type: 'compaction_delta', content: 'Earlier turns, summarized.' }]);
    block({ type: 'server_tool_use', id: 'srvtoolu_fuzz', name: 'web_search', input: {} }, [
      { type: 'input_json_delta', partial_json: '{"query": "x"}' },
    ]);
    block({
      type: 'web_search_tool_result',
      tool_use_id: 'srvtoolu_fuzz',
      content: [{ type: 'web_search_result', url: 'https://example.com/' }],
    });
    block({ type: 'hologram', frames: [] }, [{ type: 'hologram_delta', frame: 'AA' }]);
  }
  if (m.reasoning.length) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } });
    for (const r of m.reasoning) events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: r } });
    events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxqZ' } });
    events.push({ type: 'content_block_stop', index });
    index++;
  }
  if (m.text.length) {
    events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const t of m.text) {
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
      if (extras)
        events.push({
          type: 'content_block_delta',
          index,
          delta: { type: 'citations_delta', citation: { type: 'web_search_result_location', cited_text: t, url: 'https://example.com/' } },
        });
    }
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
    usage: extras
      ? { ...inputUsage, output_tokens: usage.completion, server_tool_use: { web_search_requests: 1 } }
      : { output_tokens: usage.completion },
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
