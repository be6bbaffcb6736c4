// Re-chunkings of a recorded body: the same bytes cut into different reads. Output that depends
// on where the reads fall is a gateway bug, and these are how the harness finds it.
import { createPrng } from '../base/prng.ts';
import type { ReplayChunk } from './cassette.ts';

export type Chunking = { kind: 'recorded' } | { kind: 'bytewise' } | { kind: 'random'; seed: number };

export function chunkingName(c: Chunking): string {
  return c.kind === 'random' ? `random-${c.seed}` : c.kind;
}

/** The reads to serve for a chunking. Only `recorded` keeps the recorded gaps. */
export function applyChunking(chunks: readonly ReplayChunk[], chunking: Chunking): ReplayChunk[] {
  if (chunking.kind === 'recorded') return [...chunks];
  const body = Buffer.concat(chunks.map((c) => c.bytes));
  const out: ReplayChunk[] = [];
  if (chunking.kind === 'bytewise') {
    for (let i = 0; i < body.length; i++) out.push({ bytes: body.subarray(i, i + 1), at: 0 });
    return out;
  }
  const random = createPrng(chunking.seed);
  let pos = 0;
  while (pos < body.length) {
    // Mostly small reads (1..16 bytes) with some large ones, so splits land everywhere.
    const size = random() < 0.8 ? 1 + Math.floor(random() * 16) : 1 + Math.floor(random() * 512);
    out.push({ bytes: body.subarray(pos, pos + size), at: 0 });
    pos += size;
  }
  return out;
}
