// A workload's requests as load sources: each request of the run gets its own body (a dataset
// row or generated prompt, a conversation's growing context, a drawn max_tokens) and expects the
// answer length it asked for. The phase sends sources round-robin, so the list is built once, up
// to a bound, and repeats beyond it.
import { expectationState } from '../../checks/stream-check.ts';
import type { StreamSource } from '../phase.ts';
import { conversation, type ChatMessage, type DatasetRequest, type PromptWorkload } from './dataset.ts';
import type { Distribution } from './distributions.ts';
import type { Workload } from './schema.ts';

/** The most distinct requests built for one run (the list repeats beyond it). */
export const MAX_DISTINCT_REQUESTS = 5_000;

const ONE: Distribution = { type: 'fixed', value: 1 };

/** Whether a workload changes the requests (a timing model alone changes only the upstream). */
export function shapesRequests(w: Workload | undefined): boolean {
  return (
    w !== undefined && (w.promptTokens !== undefined || w.outputTokens !== undefined || w.turns !== undefined || w.dataset !== undefined)
  );
}

/**
 * Sources for a shaped workload, built from the generated stream's gateway source (its path,
 * headers and model). `count` bounds how many distinct requests are built.
 */
export function shapedSources(
  w: Workload,
  template: StreamSource,
  dataset: readonly DatasetRequest[] | null,
  count: number,
  defaultTokens: number,
): StreamSource[] {
  const base = JSON.parse(template.request.body) as Record<string, unknown>;
  const pw: PromptWorkload = {
    promptTokens: w.promptTokens ?? { type: 'fixed', value: 16 },
    outputTokens: w.outputTokens ?? { type: 'fixed', value: defaultTokens },
    turns: w.turns ?? ONE,
    seed: w.seed,
  };
  const n = Math.max(1, Math.min(count, MAX_DISTINCT_REQUESTS, dataset ? Math.max(dataset.length, 1) * 64 : Infinity));
  const out: StreamSource[] = [];
  for (let c = 0; out.length < n; c++) {
    const row = dataset ? dataset[c % dataset.length]! : null;
    // A dataset row's own length wins; otherwise the drawn one.
    const turns = conversation(pw, c, row ? (row.body['messages'] as ChatMessage[]) : undefined);
    for (const t of turns) {
      if (out.length >= n) break;
      const outputTokens = t.turn === 0 && row?.outputTokens ? row.outputTokens : t.outputTokens;
      const body = { ...base, ...(row?.body ?? {}), messages: t.body.messages, max_tokens: outputTokens, stream: true };
      if (row) delete (body as Record<string, unknown>)['max_completion_tokens'];
      const e = template.expectation.expectation;
      out.push({
        label: template.label,
        request: { ...template.request, body: JSON.stringify(body) },
        expectation: expectationState({ ...e, expected: null, syntheticTokens: e.syntheticTokens === null ? null : outputTokens }),
      });
    }
  }
  return out;
}
