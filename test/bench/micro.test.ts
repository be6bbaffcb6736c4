// The micro-benchmark machinery (not its speed): the two SSE parsers agree on generated streams,
// every registered provider with cassettes translates, dispatch and memory produce figures.
import { describe, expect, it } from 'vitest';
import { cutReads, generateStream, HUGE_LINE_BYTES, STREAM_SHAPES } from '../../src/scenario/kinds/micro/generated-streams.ts';
import { benchSseFraming, parseWithEventsourceParser, parseWithOurs } from '../../src/scenario/kinds/micro/sse.ts';
import { countEvents, translateOnce } from '../../src/scenario/kinds/micro/translate.ts';
import { benchDispatch } from '../../src/scenario/kinds/micro/dispatch.ts';
import { heldBytes } from '../../src/scenario/kinds/micro/memory.ts';
import { providerInputs } from '../../src/scenario/kinds/micro/provider-cassettes.ts';
import { providers } from '../../src/providers/index.ts';

describe('generated SSE streams', () => {
  it('are deterministic for a seed and both parsers find every event, at any read size', () => {
    for (const shape of STREAM_SHAPES) {
      const a = generateStream(shape, 50_000, 3);
      expect(a.bytes.equals(generateStream(shape, 50_000, 3).bytes)).toBe(true);
      for (const size of [1, 7, 256, 16_384]) {
        const reads = cutReads(a.bytes, size);
        expect(Buffer.concat(reads).equals(a.bytes)).toBe(true);
        expect(parseWithOurs(reads)).toBe(a.events);
        expect(parseWithEventsourceParser(reads)).toBe(a.events);
      }
    }
  });
});

describe('the huge-line-drip stream', () => {
  it('is 1 MiB data lines (OpenAI chunks) and a [DONE]', () => {
    const s = generateStream('huge-line-drip', 2_500_000, 1);
    const lines = s.bytes.toString().split('\n\n');
    expect(lines.pop()).toBe('');
    expect(lines.pop()).toBe('data: [DONE]');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(Buffer.byteLength(line)).toBe(HUGE_LINE_BYTES);
      expect(JSON.parse(line.slice(6)).choices[0].delta.content.length).toBeGreaterThan(500_000);
    }
    expect(s.events).toBe(4);
  });

  it('is measured against eventsource-parser and gated by its ratio', async () => {
    const figures = await benchSseFraming({ megabytes: 1, readSizes: [256], seed: 1, timeMs: 10 });
    expect(figures.map((f) => f.shape)).toEqual(['openai', 'anthropic', 'huge-line-drip']);
    for (const f of figures) expect(f.oursMbPerS > 0 && f.eventsourceParserMbPerS > 0).toBe(true);
  });
});

describe('per-provider benchmarks', () => {
  const inputs = providerInputs();

  it('cover every provider in the registry (new providers join by iterating it)', () => {
    expect(inputs.map((i) => i.provider.name)).toEqual(providers.map((p) => p.name));
  });

  it('translate every usable provider through the normalizing pipeline', () => {
    for (const { provider, cassettes, skipped } of inputs) {
      if (skipped) continue;
      expect(translateOnce(provider, cassettes), provider.name).toBeGreaterThan(0);
      expect(countEvents(provider, cassettes), provider.name).toBeGreaterThan(0);
    }
  });

  it('time dispatch for each usable provider', async () => {
    const usable = inputs.filter((i) => !i.skipped).slice(0, 2);
    const figures = await benchDispatch(usable, 10);
    expect(figures.map((f) => f.provider)).toEqual(usable.map((u) => u.provider.name));
    for (const f of figures) expect(f.usPerRequest).toBeGreaterThan(0);
  });

  it('measures retained heap: held objects count, dropped ones do not', () => {
    const held = heldBytes(200, () => new Array(1000).fill(1));
    expect(held).toBeGreaterThan(200 * 4000); // 200 arrays of 1,000 small ints (≥ 4 bytes each)
  });
});
