// The fuzz generator for Bedrock's InvokeModelWithResponseStream with Claude (docs/provider-formats.md
// section 7e): the Anthropic stream's events, base64 inside `chunk` event-stream frames, with the
// invocation metrics on the last one.
import { encodeFrame } from '../../eventstream/codec.ts';
import { claudeEvents } from '../anthropic/fuzz.ts';
import type { StreamGenerator } from '../stream-model.ts';

export const fuzz: StreamGenerator = {
  framing: 'eventstream',
  includeUsage: true,
  generate(m) {
    const events = claudeEvents(m).filter((e) => e['type'] !== 'ping');
    const last = events[events.length - 1]!;
    last['amazon-bedrock-invocationMetrics'] = {
      inputTokenCount: m.usage?.prompt ?? 0,
      outputTokenCount: m.usage?.completion ?? 0,
      invocationLatency: 812,
      firstByteLatency: 301,
    };
    return Buffer.concat(
      events.map((e) =>
        encodeFrame(
          { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
          JSON.stringify({ bytes: Buffer.from(JSON.stringify(e)).toString('base64'), p: 'abcdefghij' }),
        ),
      ),
    );
  },
};
