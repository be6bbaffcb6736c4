// The fuzz generator for Bedrock ConverseStream (docs/provider-formats.md section 7c): binary event-stream
// frames, one JSON event per frame named by `:event-type`, `p` padding, metadata after messageStop;
// server-side tool blocks, redacted reasoning and empty text deltas that must change nothing.
import { encodeFrame } from '../../eventstream/codec.ts';
import { argumentFragments, type StreamGenerator, type StreamModel } from '../stream-model.ts';

const STOP_REASON: Record<StreamModel['finish'], string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'content_filtered',
};

function frame(type: string, body: Record<string, unknown>): Buffer {
  return encodeFrame(
    { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify({ ...body, p: 'abcdefghijklmnopqrstuvwxyzABCDEF' }),
  );
}

/**
 * Besides the meaning, every other stream (by the model's `created`) carries what real streams add
 * and a decoder must drop: a redactedContent reasoning block, a server-side tool use (type
 * server_tool_use) with its input and a toolResult block, empty text deltas, and
 * additionalModelResponseFields in messageStop.
 */
function converseStream(m: StreamModel): Buffer {
  const extras = m.created % 2 === 1;
  const frames: Buffer[] = [frame('messageStart', { role: 'assistant' })];
  let index = 0;
  if (m.reasoning.length) {
    for (const r of m.reasoning)
      frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text: r } } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  if (extras) {
    frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { redactedContent: 'cmVkYWN0ZWQ=' } } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
    frames.push(
      frame('contentBlockStart', {
        contentBlockIndex: index,
        start: { toolUse: { toolUseId: 'tooluse_srv', name: 'nova_code_interpreter', type: 'server_tool_use' } },
      }),
    );
    frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: '{"code":"1+1"}' } } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
    frames.push(
      frame('contentBlockStart', { contentBlockIndex: index, start: { toolResult: { toolUseId: 'tooluse_srv', status: 'success' } } }),
    );
    frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { toolResult: [{ text: '2' }] } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  if (m.text.length) {
    for (const t of m.text) {
      frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { text: t } }));
      if (extras) frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { text: '' } }));
    }
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  for (const call of m.toolCalls) {
    frames.push(frame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: call.id, name: call.name } } }));
    for (const f of argumentFragments(call))
      frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: f } } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  const stop: Record<string, unknown> = { stopReason: STOP_REASON[m.finish] };
  if (extras) stop['additionalModelResponseFields'] = { trace: 'fuzz' };
  frames.push(frame('messageStop', stop));
  const usage = m.usage ?? { prompt: 0, completion: 0 };
  frames.push(
    frame('metadata', {
      usage: { inputTokens: usage.prompt, outputTokens: usage.completion, totalTokens: usage.prompt + usage.completion },
      metrics: { latencyMs: 640 },
    }),
  );
  return Buffer.concat(frames);
}

export const fuzz: StreamGenerator = {
  framing: 'eventstream',
  includeUsage: true,
  generate: converseStream,
};
