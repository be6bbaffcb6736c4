// The four property families (issue #4), each for one provider. A property returns a fast-check
// property plus, for a failing input, the cassette that replays it through the real gateway.
import fc from 'fast-check';
import { parseJson } from '../base/json.ts';
import type { Cassette } from '../cassette/cassette.ts';
import { cassetteBody } from '../cassette/cassette.ts';
import { readOpenAIStream, semanticMismatches, type SemanticOutput } from '../checks/semantic.ts';
import type { Expectation } from '../cassette/schema.ts';
import type { StreamGenerator, StreamModel } from '../providers/stream-model.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import { gatewayOutput, splitAt, type PipelineMode } from './gateway-under-fuzz.ts';
import { expectationOf, streamModel } from './model.ts';
import { framingArb, parseEvents, reframe } from './reframe.ts';
import { applyMutation, mutationArb, type Mutation } from './mutations.ts';

export const PROPERTY_NAMES = ['chunking', 'framing', 'generated', 'malformed'] as const;
export type PropertyName = (typeof PROPERTY_NAMES)[number];

/** What a failing input becomes: upstream reads, what the client must see, and why it failed. */
export interface Counterexample {
  reads: Buffer[];
  /**
   * Reads whose output a correct gateway also writes for `reads` (the unsplit body, the original
   * framing): the golden is made from them. Absent: the golden is the output of `reads` itself,
   * and the expectation is what fails.
   */
  goldenReads?: Buffer[];
  expect: Expectation;
  mode: PipelineMode;
  includeUsage: boolean;
  reason: string;
}

export interface FuzzTarget {
  /** The registered provider's name (also when a test overrides its descriptor). */
  name: string;
  provider: ProviderDescriptor;
  generator: StreamGenerator;
  /** The provider's shipped cassettes (the chunking property replays them too). */
  cassettes: readonly Cassette[];
  /** Small on purpose, so oversized lines are cheap to make. */
  maxLineBytes: number;
}

export interface BuiltProperty<T> {
  arbitrary: fc.Arbitrary<T>;
  /** Returns a failure description, or null when the property holds. */
  check(input: T): string | null;
  counterexample(input: T, reason: string): Counterexample;
  /** How each run ended, for the report ("complete", "error:truncated", …). */
  classify?(input: T): string;
}

type Source = { body: Buffer; includeUsage: boolean; modes: PipelineMode[] };

function sources(target: FuzzTarget): fc.Arbitrary<Source> {
  const modes: PipelineMode[] = target.provider.supportsPassthrough ? ['normalize', 'passthrough'] : ['normalize'];
  const generated = modelArb(target.generator).map(
    (m): Source => ({ body: toBuffer(target.generator.generate(m)), includeUsage: target.generator.includeUsage, modes }),
  );
  const streaming = target.cassettes.filter((c) => c.streaming && c.response.status === 200);
  if (streaming.length === 0) return generated;
  const recorded = fc.constantFrom(...streaming).map((c): Source => ({ body: cassetteBody(c), includeUsage: includesUsage(c), modes }));
  return fc.oneof(recorded, generated);
}

/** 1. Any split of the bytes into reads gives byte-identical output, in every mode. */
export function chunkingProperty(target: FuzzTarget): BuiltProperty<{ source: Source; mode: PipelineMode; cuts: number[] }> {
  const run = (s: Source, mode: PipelineMode, reads: Buffer[]) =>
    gatewayOutput({ provider: target.provider, mode, includeUsage: s.includeUsage, maxLineBytes: target.maxLineBytes }, reads);
  return {
    arbitrary: sources(target).chain((source) =>
      fc.record({
        source: fc.constant(source),
        mode: fc.constantFrom(...source.modes),
        cuts: fc.oneof(
          fc.array(fc.integer({ min: 1, max: Math.max(1, source.body.length - 1) }), { minLength: 1, maxLength: 40 }),
          fc.constant(Array.from({ length: source.body.length }, (_, i) => i)), // one byte per read
        ),
      }),
    ),
    check({ source, mode, cuts }) {
      const whole = run(source, mode, [source.body]);
      const split = run(source, mode, splitAt(source.body, cuts));
      return whole === split
        ? null
        : `output differs at char ${firstDiff(whole, split)} when the upstream body is cut at ${cuts.length} points`;
    },
    counterexample({ source, mode, cuts }, reason) {
      const expected = run(source, mode, [source.body]);
      return {
        reads: splitAt(source.body, cuts),
        goldenReads: [source.body],
        expect: expectationFromOutput(readOpenAIStream(Buffer.from(expected))),
        mode,
        includeUsage: source.includeUsage,
        reason,
      };
    },
  };
}

/** 2. Re-framing an SSE stream without changing its meaning leaves the normalized output unchanged. */
export function framingProperty(target: FuzzTarget): BuiltProperty<{ source: Source; framing: import('./reframe.ts').Framing }> | null {
  if (target.generator.framing !== 'sse') return null;
  const run = (s: Source, body: Buffer) =>
    gatewayOutput({ provider: target.provider, mode: 'normalize', includeUsage: s.includeUsage, maxLineBytes: target.maxLineBytes }, [
      body,
    ]);
  return {
    arbitrary: sources(target).chain((source) => framingArb(parseEvents(source.body).length).map((framing) => ({ source, framing }))),
    check({ source, framing }) {
      const original = run(source, source.body);
      const reframed = run(source, reframe(parseEvents(source.body), framing));
      return original === reframed
        ? null
        : `re-framed stream (eol ${JSON.stringify(framing.eol)}, bom ${framing.bom}) gives different output at char ${firstDiff(original, reframed)}`;
    },
    counterexample({ source, framing }, reason) {
      const expected = run(source, source.body);
      return {
        reads: [reframe(parseEvents(source.body), framing)],
        goldenReads: [source.body],
        expect: expectationFromOutput(readOpenAIStream(Buffer.from(expected))),
        mode: 'normalize',
        includeUsage: source.includeUsage,
        reason,
      };
    },
  };
}

/** 3. A generated stream's text, tool calls, usage and finish reason come out exactly. */
export function generatedProperty(target: FuzzTarget): BuiltProperty<StreamModel> {
  const g = target.generator;
  const expectation = (m: StreamModel) => {
    const e = expectationOf(m);
    if (!g.includeUsage) delete e.usage;
    return e;
  };
  const output = (m: StreamModel) =>
    gatewayOutput({ provider: target.provider, mode: 'normalize', includeUsage: g.includeUsage, maxLineBytes: 1 << 24 }, [
      toBuffer(g.generate(m)),
    ]);
  return {
    arbitrary: modelArb(g),
    check(m) {
      const problems = generatedMismatches(readOpenAIStream(Buffer.from(output(m))), m, g);
      return problems.length ? problems.join('; ') : null;
    },
    counterexample(m, reason) {
      return { reads: [toBuffer(g.generate(m))], expect: expectation(m), mode: 'normalize', includeUsage: g.includeUsage, reason };
    },
  };
}

/**
 * 4. Malformed and truncated input: the gateway never crashes, ends every stream with exactly one
 * of [DONE] or an OpenAI-shaped error (never both, nothing after), reports success only when the
 * whole meaning arrived, and forwards what it had before an error.
 */
export function malformedProperty(target: FuzzTarget): BuiltProperty<{ model: StreamModel; mutation: Mutation; cuts: number[] }> {
  const g = target.generator;
  const full = (m: StreamModel) => toBuffer(g.generate(m));
  const outputOf = (body: Buffer, cuts: number[]) =>
    gatewayOutput(
      { provider: target.provider, mode: 'normalize', includeUsage: g.includeUsage, maxLineBytes: target.maxLineBytes },
      splitAt(body, cuts),
    );
  const judge = (model: StreamModel, mutation: Mutation, cuts: number[]): { seen: SemanticOutput; failure: string | null } => {
    const mutated = applyMutation(full(model), mutation, g, target.maxLineBytes);
    let text: string;
    try {
      text = outputOf(mutated.body, cuts);
    } catch (err) {
      return { seen: readOpenAIStream(Buffer.alloc(0)), failure: `the gateway pipeline threw: ${(err as Error).message}` };
    }
    const seen = readOpenAIStream(Buffer.from(text));
    const want = expectationOf(model);
    if (seen.problems.length) return { seen, failure: `malformed output: ${seen.problems[0]}` };
    if (seen.eventsAfterEnd > 0) return { seen, failure: `${seen.eventsAfterEnd} event(s) after the terminal event` };
    if (seen.sawDone === (seen.error !== null))
      return { seen, failure: seen.sawDone ? 'both [DONE] and an error' : 'neither [DONE] nor an error at the end' };
    if (mutated.mustFail && !seen.error) return { seen, failure: `${mutation.kind} was reported as a success` };
    const differences = seen.sawDone && mutated.meaningKept ? generatedMismatches(seen, model, g) : [];
    if (differences.length) return { seen, failure: `success reported with different content: ${differences[0]}` };
    if (seen.error && mutated.meaningKept && !want.text.startsWith(seen.text))
      return { seen, failure: 'the text before the error is not a prefix of the stream text' };
    return { seen, failure: null };
  };
  return {
    arbitrary: fc.record({
      model: modelArb(g),
      mutation: mutationArb(g),
      cuts: fc.array(fc.integer({ min: 1, max: 4096 }), { maxLength: 8 }),
    }),
    check: ({ model, mutation, cuts }) => judge(model, mutation, cuts).failure,
    classify({ model, mutation, cuts }) {
      const { seen } = judge(model, mutation, cuts);
      return `${mutation.kind} → ${seen.error ? `error` : 'complete'}`;
    },
    counterexample({ model, mutation, cuts }, reason) {
      const mutated = applyMutation(full(model), mutation, g, target.maxLineBytes);
      const { seen } = judge(model, mutation, cuts);
      const expect: Expectation = { ...expectationFromOutput(seen), error: mutated.mustFail ? {} : undefined };
      if (mutated.mustFail) expect.finishReason = null;
      return { reads: splitAt(mutated.body, cuts), expect, mode: 'normalize', includeUsage: g.includeUsage, reason };
    },
  };
}

/** What the client saw against the generated meaning (ids the gateway invents: present, distinct). */
function generatedMismatches(seen: SemanticOutput, m: StreamModel, g: StreamGenerator): string[] {
  const want = expectationOf(m);
  if (!g.includeUsage) delete want.usage;
  if (g.inventsToolCallIds) {
    const ids = seen.toolCalls.map((t) => t.id);
    if (ids.some((id) => !id) || new Set(ids).size !== ids.length)
      return [`invented tool-call ids are missing or repeated: ${JSON.stringify(ids)}`];
    want.toolCalls = want.toolCalls.map((t, i) => ({ ...t, id: ids[i] ?? t.id }));
  }
  return semanticMismatches(seen, want, 'normalize');
}

function modelArb(g: StreamGenerator): fc.Arbitrary<StreamModel> {
  const adjust = g.adjust;
  return adjust ? streamModel(g.model).map((m) => adjust(m)) : streamModel(g.model);
}

export function buildProperty(name: PropertyName, target: FuzzTarget): BuiltProperty<unknown> | null {
  switch (name) {
    case 'chunking':
      return chunkingProperty(target);
    case 'framing':
      return framingProperty(target);
    case 'generated':
      return generatedProperty(target);
    case 'malformed':
      return malformedProperty(target);
  }
}

export function expectationFromOutput(seen: SemanticOutput): Expectation {
  const e: Expectation = {
    status: 200,
    text: seen.text,
    toolCalls: seen.toolCalls.map((t) => ({ id: t.id, name: t.name, arguments: safeJson(t.arguments) })),
    finishReason: seen.finishReason,
  };
  if (seen.reasoning) e.reasoning = seen.reasoning;
  if (seen.refusal) e.refusal = seen.refusal;
  if (seen.usage) e.usage = seen.usage;
  if (seen.error) e.error = { message: seen.error.message };
  return e;
}

/** The parsed arguments, or the raw text when they are not JSON. */
function safeJson(s: string): unknown {
  const parsed = parseJson(s);
  return parsed === undefined ? s : parsed;
}

function includesUsage(c: Cassette): boolean {
  return (c.request.body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
}

function toBuffer(b: string | Buffer): Buffer {
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}

function firstDiff(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}
