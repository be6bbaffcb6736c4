// Seeded SSE streams for the framing micro-benchmark, shaped like real provider streams: OpenAI
// chat chunks, and Anthropic content_block_delta events with a ping every 50th event. Token
// text mixes ASCII with 2-, 3- and 4-byte UTF-8 and JSON escapes, so decoders see real content.
import { createPrng } from '../../../base/prng.ts';

export type StreamShape = 'openai' | 'anthropic';

const VOCABULARY = [
  'the',
  ' model',
  ' streams',
  ' tokens',
  ' café',
  ' naïve',
  ' 数据',
  ' 🚀',
  ' ✓',
  '\\n',
  ' \\"quoted\\"',
  ' gateway',
  ',',
  '.',
  ' latency',
  ' über',
];

export interface GeneratedStream {
  bytes: Buffer;
  events: number;
}

export function generateStream(shape: StreamShape, targetBytes: number, seed: number): GeneratedStream {
  const random = createPrng(seed);
  const parts: string[] = [];
  let size = 0;
  let events = 0;
  const word = () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]!;
  while (size < targetBytes) {
    let event: string;
    if (shape === 'openai') {
      event = `data: {"id":"chatcmpl-gen${seed}","object":"chat.completion.chunk","created":1700000000,"model":"gpt-generated","choices":[{"index":0,"delta":{"content":"${word()}${word()}"},"logprobs":null,"finish_reason":null}]}\n\n`;
    } else if (events % 50 === 49) {
      event = 'event: ping\ndata: {"type": "ping"}\n\n';
    } else {
      event = `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${word()}${word()}"}}\n\n`;
    }
    parts.push(event);
    size += Buffer.byteLength(event);
    events++;
  }
  if (shape === 'openai') {
    parts.push('data: [DONE]\n\n');
    events++;
  }
  return { bytes: Buffer.from(parts.join('')), events };
}

/** Views of `bytes` cut every `readBytes` (no copies), as a socket would deliver them. */
export function cutReads(bytes: Buffer, readBytes: number): Buffer[] {
  const reads: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += readBytes) reads.push(bytes.subarray(i, Math.min(bytes.length, i + readBytes)));
  return reads;
}
