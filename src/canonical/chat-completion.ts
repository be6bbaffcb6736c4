// Canonical events → one OpenAI `chat.completion` object, for clients that did not ask for a
// stream when the upstream streams (or, like Straico, never does). An error event wins: the
// caller answers with an error status instead.
import type { CanonicalEvent } from './events.ts';
import { encodeUsage } from './openai-chat-encoder.ts';

export type CompletionResult = { ok: true; json: string } | { ok: false; error: Extract<CanonicalEvent, { type: 'error' }> };

interface ChoiceState {
  content: string;
  refusal: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: string | null;
}

export function aggregateChatCompletion(
  events: readonly CanonicalEvent[],
  fallback: { id: string; model: string; created: number },
): CompletionResult {
  let head = fallback;
  let usage: string | null = null;
  const choices = new Map<number, ChoiceState>();
  const choice = (i: number): ChoiceState => {
    let c = choices.get(i);
    if (!c) choices.set(i, (c = { content: '', refusal: '', reasoning: '', toolCalls: [], finish: null }));
    return c;
  };
  for (const e of events) {
    switch (e.type) {
      case 'start':
        head = { id: e.id, model: e.model, created: e.created };
        break;
      case 'text-delta':
        choice(e.choice).content += e.text;
        break;
      case 'refusal-delta':
        choice(e.choice).refusal += e.text;
        break;
      case 'reasoning-delta':
        choice(e.choice).reasoning += e.text;
        break;
      case 'tool-call-start':
        choice(e.choice).toolCalls[e.index] = { id: e.id, name: e.name, arguments: '' };
        break;
      case 'tool-call-delta': {
        const call = choice(e.choice).toolCalls[e.index];
        if (call) call.arguments += e.arguments;
        break;
      }
      case 'finish':
        choice(e.choice).finish = e.reason;
        break;
      case 'usage':
        usage = encodeUsage(e.usage);
        break;
      case 'error':
        return { ok: false, error: e };
      case 'comment':
        break;
    }
  }
  if (choices.size === 0) choice(0);
  const encoded = [...choices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, c]) => {
      const message: Record<string, unknown> = { role: 'assistant', content: c.content === '' && c.toolCalls.length ? null : c.content };
      if (c.refusal) message['refusal'] = c.refusal;
      if (c.reasoning) message['reasoning_content'] = c.reasoning;
      const calls = c.toolCalls.filter(Boolean);
      if (calls.length)
        message['tool_calls'] = calls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }));
      return JSON.stringify({ index, message, finish_reason: c.finish });
    });
  const json = `{"id":${JSON.stringify(head.id)},"object":"chat.completion","created":${head.created},"model":${JSON.stringify(head.model)},"choices":[${encoded.join(',')}]${usage ? `,"usage":${usage}` : ''}}`;
  return { ok: true, json };
}
