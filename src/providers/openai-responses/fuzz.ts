// The fuzz generator for the OpenAI Responses API stream (docs/provider-formats.md section 2): typed
// events with sequence numbers, function-call argument deltas, completed/incomplete endings.
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
    for (const t of m.text)
      emit('response.output_text.delta', {
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        delta: t,
        logprobs: [],
        obfuscation: 'x1',
      });
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
    `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message, param: null, sequence_number: 9999 })}\n\n`,
};
