// The fuzz generator for upstreams that stream OpenAI chat chunks, with each provider's documented
// quirks as a flavor (docs/provider-formats.md sections 1, 3, 8, 9, 10): the bytes a real upstream
// of that kind would send for a StreamModel. Each OpenAI-compatible provider passes its flavor.
import { isJsonObject } from '../../base/json.ts';
import { argumentFragments, type StreamGenerator, type StreamModel } from '../stream-model.ts';

export interface OpenAIChatFlavor {
  /** Azure: a prompt-filter chunk first, alphabetical keys, content_filter_results on choices. */
  azure?: boolean;
  /** xAI: tool calls arrive whole; no finish_reason key until the end. */
  wholeToolCalls?: boolean;
  /** Together: usage on the last content chunk, finish "eos" for stop. */
  usageOnLastChunk?: boolean;
  finishWord?: (finish: StreamModel['finish']) => string;
  /** The delta field reasoning is sent in. */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** xAI: completion_tokens leaves reasoning tokens out (reported in completion_tokens_details); the total has them. */
  reasoningOutsideCompletion?: boolean;
  /** xAI: cumulative usage on every chunk, finish_reason on the last content chunk, then the usage chunk. */
  usageOnEveryChunk?: boolean;
  /**
   * OpenAI: every other stream (by the model's `created`) carries a url_citation annotation delta
   * and, after the usage chunk, a choices [] chunk with "usage": null (a moderation chunk).
   */
  annotationsAndModeration?: boolean;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/** Usage as the flavor reports it, for `share` (0..1) of the final counts. */
function usageOf(m: StreamModel, flavor: OpenAIChatFlavor, share = 1): Record<string, unknown> | null {
  if (!m.usage) return null;
  const completion = Math.floor(m.usage.completion * share);
  if (!flavor.reasoningOutsideCompletion)
    return { prompt_tokens: m.usage.prompt, completion_tokens: completion, total_tokens: m.usage.prompt + completion };
  // Some of the completion is reasoning, reported beside completion_tokens and counted in the total.
  const reasoning = m.reasoning.length ? Math.floor(completion / 2) : 0;
  return {
    prompt_tokens: m.usage.prompt,
    completion_tokens: completion - reasoning,
    total_tokens: m.usage.prompt + completion,
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

function generateOpenAIChat(flavor: OpenAIChatFlavor): StreamGenerator['generate'] {
  return (m) => {
    const events: string[] = [];
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => {
      const obj = { id: m.id, object: 'chat.completion.chunk', created: m.created, model: m.model, choices, ...extra };
      events.push(JSON.stringify(flavor.azure ? sortKeys(obj) : obj));
    };
    const choice = (delta: Record<string, unknown>, finish: string | null = null) => {
      const c: Record<string, unknown> = { index: 0, delta };
      if (finish !== null || !flavor.wholeToolCalls) c['finish_reason'] = finish;
      if (flavor.azure) c['content_filter_results'] = {};
      return c;
    };
    if (flavor.azure) {
      events.push(
        JSON.stringify({
          choices: [],
          created: 0,
          id: '',
          model: '',
          object: '',
          prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
        }),
      );
    }
    const deltas: Record<string, unknown>[] = [{ role: 'assistant', content: '' }];
    for (const r of m.reasoning) deltas.push({ [flavor.reasoningField ?? 'reasoning_content']: r });
    const extras = flavor.annotationsAndModeration === true && m.created % 2 === 1;
    for (const t of m.text) {
      deltas.push({ content: t });
      if (extras)
        deltas.push({
          annotations: [{ type: 'url_citation', url_citation: { start_index: 0, end_index: 1, title: 'x', url: 'https://example.com/' } }],
        });
    }
    m.toolCalls.forEach((call, index) => {
      if (flavor.wholeToolCalls) {
        deltas.push({
          tool_calls: [{ id: call.id, function: { name: call.name, arguments: JSON.stringify(call.args) }, index, type: 'function' }],
        });
        return;
      }
      deltas.push({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
      for (const f of argumentFragments(call)) deltas.push({ tool_calls: [{ index, function: { arguments: f } }] });
    });
    const finishWord = flavor.finishWord?.(m.finish) ?? m.finish;
    const usage = usageOf(m, flavor);
    if (flavor.usageOnEveryChunk) {
      // Cumulative usage on every chunk; the finish rides on the last content chunk.
      deltas.forEach((delta, i) => {
        const last = i === deltas.length - 1;
        chunk([choice(delta, last ? finishWord : null)], usage ? { usage: usageOf(m, flavor, (i + 1) / deltas.length) } : {});
      });
      if (usage) chunk([], { usage });
    } else {
      for (const delta of deltas) chunk([choice(delta)]);
      if (flavor.usageOnLastChunk) {
        chunk([choice({}, finishWord)], { usage });
      } else {
        chunk([choice({}, finishWord)]);
        if (usage) chunk([], { usage });
      }
      if (extras) chunk([], { usage: null, moderation: { flagged: false } });
    }
    return `${events.map((e) => `data: ${e}\n\n`).join('')}data: [DONE]\n\n`;
  };
}

export function openAIChatGenerator(flavor: OpenAIChatFlavor = {}): StreamGenerator {
  return {
    framing: 'sse',
    includeUsage: true,
    terminator: 'data: [DONE]\n\n',
    errorEvent: (message: string) => `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`,
    generate: generateOpenAIChat(flavor),
  };
}
