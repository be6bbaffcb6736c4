// Every fuzz property for every provider with a generator, on a bounded, seeded budget; and
// proof that each property family catches the bug it exists for, with a replayable counterexample.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/canonical/events.ts';
import { fuzzProviderNames, runFuzz } from '../../src/fuzz/run-fuzz.ts';
import { PROPERTY_NAMES, type PropertyName } from '../../src/fuzz/properties.ts';
import { createOpenAIChatDecoder } from '../../src/providers/openai-compatible/chat-stream.ts';
import { getProvider } from '../../src/providers/index.ts';
import type { DecoderContext, ProviderDescriptor, StreamDecoder } from '../../src/providers/types.ts';
import { runCli } from '../helpers/cli.ts';

const RUNS = 150;
const SEED = 20261121;

describe.each(fuzzProviderNames().map((name) => [name] as const))('fuzz properties hold for %s', (provider) => {
  it.each(PROPERTY_NAMES.map((p) => [p] as const))('%s', async (property) => {
    const [result] = await runFuzz({
      providers: [provider],
      properties: [property],
      runs: RUNS,
      seed: SEED,
      timeBudgetMs: 20_000,
      counterexampleDir: tmp(),
    });
    if (!result) return; // not applicable (framing for a binary dialect)
    expect(result.status, result.checks[0]?.message).toBe('pass');
    expect(result.checks[0]?.message).toMatch(/^\d+ runs, seed/);
  });
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'streamproof-fuzz-'));
}

/** The openai provider with its decoder replaced. */
function broken(decoder: (context: DecoderContext) => StreamDecoder): ProviderDescriptor {
  return { ...getProvider('openai')!, createStreamDecoder: decoder };
}

async function expectCaught(property: PropertyName, provider: ProviderDescriptor, pattern: RegExp) {
  const dir = tmp();
  const [result] = await runFuzz({
    providers: ['openai'],
    properties: [property],
    runs: 300,
    seed: SEED,
    timeBudgetMs: 30_000,
    counterexampleDir: dir,
    overrideProvider: provider,
  });
  expect(result?.status).toBe('fail');
  expect(result?.checks[0]?.message).toMatch(pattern);
  const detail = result!.checks[0]!.detail!;
  const scenario = /replay: streamproof run (\S+)/.exec(detail)![1]!;
  const cassette = /cassette: (\S+)/.exec(detail)![1]!;
  expect(readFileSync(cassette, 'utf8')).toContain(`--seed ${SEED}`);
  return { scenario, cassette };
}

describe('each property catches its bug', () => {
  it('chunking: a decoder that decodes each read on its own', async () => {
    // Every read gets a fresh SSE parser: events split across reads are lost or garbled.
    const perRead = broken((context) => {
      const real = () => createOpenAIChatDecoder(context);
      let done = false;
      return {
        feed(chunk, out) {
          const d = real();
          d.feed(chunk, out);
          const tail: CanonicalEvent[] = [];
          d.end(tail);
          done ||= tail.length === 0;
        },
        end(out) {
          if (!done) out.push({ type: 'error', kind: 'truncated', message: 'no [DONE]' });
        },
        bufferedBytes: 0,
      };
    });
    const { scenario } = await expectCaught('chunking', perRead, /output differs/);
    // The counterexample replays through the real (correct) gateway over sockets: the golden
    // holds the correct output, so the run passes there, proving the cassette itself is sound.
    const r = await runCli(['run', scenario, '--report-dir', tmp()]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
  });

  it('framing: a decoder that splits events on "\\n\\n" by hand', async () => {
    const naive = broken((_context) => {
      let text = '';
      return {
        feed(chunk, out) {
          text += chunk.toString('utf8');
          const parts = text.split('\n\n');
          text = parts.pop()!;
          for (const part of parts) {
            const data = part.replace(/^data: /, '');
            if (data === '[DONE]') continue;
            try {
              const c = JSON.parse(data);
              for (const ch of c.choices ?? []) if (ch.delta?.content) out.push({ type: 'text-delta', choice: 0, text: ch.delta.content });
            } catch {
              /* the naive decoder drops what it cannot read */
            }
          }
        },
        end() {},
        bufferedBytes: 0,
      } satisfies StreamDecoder;
    });
    await expectCaught('framing', naive, /re-framed stream/);
  });

  it('generated: a decoder that loses usage', async () => {
    const noUsage = broken((context) => {
      const d = createOpenAIChatDecoder(context);
      const strip = (out: CanonicalEvent[], from: number) => {
        for (let i = out.length - 1; i >= from; i--) if (out[i]!.type === 'usage') out.splice(i, 1);
      };
      return {
        feed(chunk, out) {
          const n = out.length;
          d.feed(chunk, out);
          strip(out, n);
        },
        end(out) {
          d.end(out);
        },
        bufferedBytes: 0,
      };
    });
    await expectCaught('generated', noUsage, /usage: expected usage, got none/);
  });

  it('malformed: a gateway that reports a truncated stream as a success', async () => {
    const lenient = broken((context) => {
      const d = createOpenAIChatDecoder(context);
      return {
        feed: (chunk, out) => d.feed(chunk, out),
        end(out) {
          const tail: CanonicalEvent[] = [];
          d.end(tail);
          out.push(...tail.filter((e) => !(e.type === 'error' && e.kind === 'truncated')));
        },
        bufferedBytes: 0,
      };
    });
    const { scenario } = await expectCaught('malformed', lenient, /reported as a success/);
    // Through the real gateway the truncated cassette ends in an error, as its expectation says.
    const r = await runCli(['run', scenario, '--report-dir', tmp()]);
    expect(r.code, r.stdout).toBe(0);
  });
});
