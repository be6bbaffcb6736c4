// Arbitrary stream meanings (StreamModel, in src/providers/stream-model.ts) for the fuzzer to ask
// provider generators to encode, and what the gateway's output must reconstruct from one.
import fc from 'fast-check';
import type { Expectation } from '../cassette/schema.ts';
import type { GeneratedToolCall, ModelOptions, StreamModel } from '../providers/stream-model.ts';

/** Text that stresses encoders: astral characters, combining marks, escapes, controls, quotes. */
export const deltaText = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('a', 'b', ' ', 'Hello', ' world', '.', ',') },
    { weight: 2, arbitrary: fc.constantFrom('é', 'ñ', '数据', 'ü', '\u0301', 'ß') },
    { weight: 2, arbitrary: fc.constantFrom('🚀', '👋🏽', '𝔘', '🧪') },
    { weight: 2, arbitrary: fc.constantFrom('\n', '\r\n', '\t', '"', '\\', '\u2028', '</tool_call>', '\u0000', '\u001b') },
    { weight: 1, arbitrary: fc.constantFrom('data: x', '\n\n', ': ping', '[DONE]') },
  ),
  minLength: 1,
  maxLength: 12,
});

const jsonLeaf = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.boolean(),
  fc.constant(null),
  deltaText,
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
);
const jsonArgs = fc.dictionary(
  fc.constantFrom('location', 'unit', 'query', 'n', 'city', 'é', 'nested'),
  fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b'), jsonLeaf, { maxKeys: 2 })),
  { maxKeys: 4 },
);

const toolCall = (i: number) =>
  fc
    .record({
      name: fc.constantFrom('get_weather', 'search', 'lookup_order', 'send_email'),
      args: jsonArgs,
      cutFractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
    })
    .map(({ name, args, cutFractions }): GeneratedToolCall => {
      const len = JSON.stringify(args).length;
      const cuts = [...new Set(cutFractions.map((f) => Math.floor(f * len)).filter((c) => c > 0 && c < len))].sort((a, b) => a - b);
      return { id: `call_fuzz${i}`, name, args, cuts };
    });

export function streamModel(options: ModelOptions = {}): fc.Arbitrary<StreamModel> {
  const maxTools = options.toolCalls === false ? 0 : (options.maxToolCalls ?? 3);
  return fc
    .record({
      reasoning: options.reasoning === false ? fc.constant<string[]>([]) : fc.array(deltaText, { maxLength: 4 }),
      text: fc.array(deltaText, { maxLength: 12 }),
      toolCount: fc.integer({ min: 0, max: maxTools }),
      usage: fc.option(fc.record({ prompt: fc.integer({ min: 0, max: 100_000 }), completion: fc.integer({ min: 0, max: 100_000 }) }), {
        nil: null,
      }),
      otherFinish: fc.constantFrom('stop', 'length', 'content_filter') as fc.Arbitrary<'stop' | 'length' | 'content_filter'>,
      created: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
      idSuffix: fc.stringMatching(/^[A-Za-z0-9]{6,20}$/),
    })
    .chain((base) =>
      fc.tuple(...Array.from({ length: base.toolCount }, (_, i) => toolCall(i))).map(
        (toolCalls): StreamModel => ({
          id: `chatcmpl-${base.idSuffix}`,
          model: 'fuzz-model',
          created: base.created,
          reasoning: base.reasoning,
          text: base.text,
          toolCalls,
          usage: base.usage,
          finish: toolCalls.length > 0 ? 'tool_calls' : base.otherFinish,
        }),
      ),
    );
}

/** What an OpenAI client must reconstruct from the gateway's output of this model. */
export function expectationOf(model: StreamModel, finishReason: string = model.finish): Expectation {
  return {
    status: 200,
    text: model.text.join(''),
    reasoning: model.reasoning.join('') || undefined,
    toolCalls: model.toolCalls.map((t) => ({ id: t.id, name: t.name, arguments: t.args })),
    usage: model.usage
      ? {
          prompt_tokens: model.usage.prompt,
          completion_tokens: model.usage.completion,
          total_tokens: model.usage.prompt + model.usage.completion,
        }
      : undefined,
    finishReason,
  };
}
