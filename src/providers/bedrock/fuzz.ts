// The fuzz generator for Bedrock ConverseStream (docs/provider-formats.md section 7c): binary event-stream
// frames, one JSON event per frame named by `:event-type`, `p` padding, metadata after messageStop.
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

function converseStream(m: StreamModel): Buffer {
  const frames: Buffer[] = [frame('messageStart', { role: 'assistant' })];
  let index = 0;
  if (m.reasoning.length) {
    for (const r of m.reasoning)
      frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text: r } } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  if (m.text.length) {
    for (const t of m.text) frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { text: t } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  for (const call of m.toolCalls) {
    frames.push(frame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: call.id, name: call.name } } }));
    for (const f of argumentFragments(call))
      frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: f } } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  frames.push(frame('messageStop', { stopReason: STOP_REASON[m.finish] }));
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
