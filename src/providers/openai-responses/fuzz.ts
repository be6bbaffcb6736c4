// The fuzz generator for the OpenAI Responses API stream (docs/provider-formats.md section 2): typed
// events with sequence numbers, function-call argument deltas, completed/incomplete endings. Every
// other stream (by the model's `created`) also carries hosted-tool output items (web_search_call,
// file_search_call, mcp_list_tools, mcp_call with argument deltas, code_interpreter_call with code
// deltas), a reasoning item with encrypted_content, a url_citation annotation event and an event
// type newer than the decoder: none of it may become a tool call or text. The in-band error is
// `error` followed by `response.failed`, as the API sends it.
import { argumentFragments, type StreamGenerator, type StreamModel } from '../stream-model.ts';

function responsesStream(m: StreamModel): string {
  let seq = 0;
  const out: string[] = [];
  const emit = (type: string, body: Record<string, unknown>) =>
    out.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...body, sequence_number: seq++ })}\n\n`);
  const id = `resp_${m.id.slice(9)}`;
  const response = (status: string, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'response',
    created_at: m.created,
    status,
    model: m.model,
    output: [],
    ...extra,
  });
  emit('response.created', { response: response('in_progress') });
  emit('response.in_progress', { response: response('in_progress') });
  let outputIndex = 0;
  const extras = m.created % 2 === 1;
  if (extras) {
    const item = (added: Record<string, unknown>, events: [string, Record<string, unknown>][], done: Record<string, unknown>) => {
      const itemId = String(added['id']);
      emit('response.output_item.added', { output_index: outputIndex, item: added });
      for (const [type, body] of events) emit(type, { output_index: outputIndex, item_id: itemId, ...body });
      emit('response.output_item.done', { output_index: outputIndex, item: { ...added, ...done } });
      outputIndex++;
    };
    item({ id: 'rs_enc', type: 'reasoning', summary: [], encrypted_content: 'gAAAAABfuzz==' }, [], {});
    item(
      { id: 'ws_1', type: 'web_search_call', status: 'in_progress' },
      [
        ['response.web_search_call.in_progress', {}],
        ['response.web_search_call.completed', {}],
      ],
      { status: 'completed', action: { type: 'search', query: 'x' } },
    );
    item(
      { id: 'fs_1', type: 'file_search_call', status: 'in_progress', queries: [], results: null },
      [['response.file_search_call.completed', {}]],
      {
        status: 'completed',
        queries: ['x'],
      },
    );
    item({ id: 'mcpl_1', type: 'mcp_list_tools', server_label: 's', tools: [] }, [['response.mcp_list_tools.completed', {}]], {});
    item(
      { id: 'mcp_1', type: 'mcp_call', server_label: 's', name: 'lookup', arguments: '' },
      [
        ['response.mcp_call_arguments.delta', { delta: '{"q":' }],
        ['response.mcp_call_arguments.delta', { delta: '"x"}' }],
        ['response.mcp_call_arguments.done', { arguments: '{"q":"x"}' }],
        ['response.mcp_call.completed', {}],
      ],
      { arguments: '{"q":"x"}', output: 'ok' },
    );
    item(
      { id: 'ci_1', type: 'code_interpreter_call', status: 'in_progress', code: '', container_id: 'cntr_1', outputs: null },
      [
        ['response.code_interpreter_call_code.delta', { delta: 'print(1)' }],
        ['response.code_interpreter_call_code.done', { code: 'print(1)' }],
        ['response.code_interpreter_call.completed', {}],
      ],
      { status: 'completed', code: 'print(1)', outputs: [{ type: 'logs', logs: '1\n' }] },
    );
    emit('response.a_future_event', { output_index: outputIndex });
  }
  if (m.reasoning.length) {
    const itemId = `rs_${outputIndex}`;
    emit('response.output_item.added', { output_index: outputIndex, item: { id: itemId, type: 'reasoning', summary: [] } });
    for (const r of m.reasoning)
      emit('response.reasoning_summary_text.delta', { item_id: itemId, output_index: outputIndex, summary_index: 0, delta: r });
    outputIndex++;
  }
  if (m.text.length) {
    const itemId = `msg_${outputIndex}`;
    emit('response.output_item.added', {
      output_index: outputIndex,
      item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    });
    emit('response.content_part.added', {
      item_id: itemId,
      output_index: outputIndex,
      content_index: 0,
      part: { type: 'output_text', annotations: [], text: '' },
    });
    for (const t of m.text) {
      emit('response.output_text.delta', {
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        delta: t,
        logprobs: [],
        obfuscation: 'x1',
      });
      if (extras)
        emit('response.output_text.annotation.added', {
          item_id: itemId,
          output_index: outputIndex,
          content_index: 0,
          annotation_index: 0,
          annotation: { type: 'url_citation', start_index: 0, end_index: 1, title: 'x', url: 'https://example.com/' },
        });
    }
    emit('response.output_text.done', {
      item_id: itemId,
      output_index: outputIndex,
      content_index: 0,
      text: m.text.join(''),
      logprobs: [],
    });
    outputIndex++;
  }
  for (const call of m.toolCalls) {
    const itemId = `fc_${outputIndex}`;
    emit('response.output_item.added', {
      output_index: outputIndex,
      item: { id: itemId, type: 'function_call', status: 'in_progress', arguments: '', call_id: call.id, name: call.name },
    });
    for (const f of argumentFragments(call))
      emit('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta: f });
    emit('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, arguments: JSON.stringify(call.args) });
    outputIndex++;
  }
  const usage = m.usage && {
    input_tokens: m.usage.prompt,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: m.usage.completion,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: m.usage.prompt + m.usage.completion,
  };
  if (m.finish === 'length' || m.finish === 'content_filter') {
    const reason = m.finish === 'length' ? 'max_output_tokens' : 'content_filter';
    emit('response.incomplete', { response: response('incomplete', { incomplete_details: { reason }, usage }) });
  } else {
    emit('response.completed', { response: response('completed', { usage }) });
  }
  return out.join('');
}

export const fuzz: StreamGenerator = {
  framing: 'sse',
  includeUsage: true,
  generate: responsesStream,
  errorEvent: (message) =>
    `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message, param: null, sequence_number: 9998 })}\n\n` +
    `event: response.failed\ndata: ${JSON.stringify({
      type: 'response.failed',
      sequence_number: 9999,
      response: { id: 'resp_failed', object: 'response', status: 'failed', error: { code: 'server_error', message }, usage: null },
    })}\n\n`,
};
