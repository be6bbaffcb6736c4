// Seeded SSE streams for the framing micro-benchmark, shaped like real provider streams: OpenAI
// chat chunks, and Anthropic content_block_delta events with a ping every 50th event. Token
// text mixes ASCII with 2-, 3- and 4-byte UTF-8 and JSON escapes, so decoders see real content.
// `huge-line-drip` is OpenAI chunks whose `data:` line is 1 MiB each (a whole long answer in one
// chunk); cut into small reads it shows whether a parser's cost stays linear in the line length.
import { createPrng } from '../../../base/prng.ts';

export type StreamShape = 'openai' | 'anthropic' | 'huge-line-drip';

export const STREAM_SHAPES: readonly StreamShape[] = ['openai', 'anthropic', 'huge-line-drip'];

/** The length of each `data:` line of the huge-line-drip shape. */
export const HUGE_LINE_BYTES = 1 << 20;

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
    if (shape === 'huge-line-drip') {
      const head = `data: {"id":"chatcmpl-gen${seed}","object":"chat.completion.chunk","created":1700000000,"model":"gpt-generated","choices":[{"index":0,"delta":{"content":"`;
      const tail = '"},"logprobs":null,"finish_reason":null}]}';
      const words: string[] = [];
      let lineBytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
      for (;;) {
        const w = word();
        const n = Buffer.byteLength(w);
        if (lineBytes + n > HUGE_LINE_BYTES) break;
        words.push(w);
        lineBytes += n;
      }
      event = `${head}${words.join('')}${'.'.repeat(HUGE_LINE_BYTES - lineBytes)}${tail}\n\n`;
    } else if (shape === 'openai') {
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
  if (shape !== 'anthropic') {
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
