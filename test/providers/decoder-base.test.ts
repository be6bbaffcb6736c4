// The contract every provider decoder gets from the shared skeleton (src/providers/decoder-base.ts):
// an empty body ends as one truncation, and once a decoder is closed, nothing more comes out of it.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/canonical/events.ts';
import { providers } from '../../src/providers/index.ts';
import type { DecoderContext } from '../../src/providers/types.ts';

const context: DecoderContext = { model: 'm', now: () => 1_700_000_000, newId: (p) => `${p}id` };
// One event each dialect would act on if it were still open.
const LATE = Buffer.from('data: {"id":"x","choices":[{"index":0,"delta":{"content":"late"}}]}\n\n');

describe.each(providers.map((p) => [p.name, p] as const))('%s decoder', (_name, provider) => {
  it('ends an empty body with one truncation error, and ends only once', () => {
    const decoder = provider.createStreamDecoder(context);
    const out: CanonicalEvent[] = [];
    decoder.end(out);
    expect(out).toEqual([expect.objectContaining({ type: 'error', kind: 'truncated' })]);
    decoder.end(out);
    expect(out).toHaveLength(1);
  });

  it('emits nothing once closed', () => {
    const decoder = provider.createStreamDecoder(context);
    const out: CanonicalEvent[] = [];
    decoder.end(out);
    out.length = 0;
    decoder.feed(LATE, out);
    decoder.end(out);
    expect(out).toEqual([]);
  });
});
