// Requests a workload sends: a team's own prompts from a JSONL dataset (one OpenAI chat request
// body per line), or generated prompts of drawn lengths; either can grow into a multi-turn
// conversation whose later turns carry the earlier ones as context. Everything is seeded.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../../base/errors.ts';
import { formatPath } from '../../base/yaml-input.ts';
import { createIntSampler, itemPrng, type Distribution } from './distributions.ts';

/** The largest dataset read: a bigger one is refused before it is read (it is held in memory). */
export const MAX_DATASET_BYTES = 64 * 1024 * 1024;
/** The most requests one dataset may hold. */
export const MAX_DATASET_LINES = 1_000_000;

const contentPart = z.object({ type: z.string().min(1) }).passthrough();
const messageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(contentPart), z.null()]),
  })
  .passthrough();

/** One dataset line: an OpenAI chat request body, plus `output_tokens` (ours, never sent). */
export const datasetLineSchema = z
  .object({
    messages: z.array(messageSchema).min(1).max(10_000),
    max_tokens: z.number().int().min(1).optional(),
    max_completion_tokens: z.number().int().min(1).optional(),
    output_tokens: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('How many tokens the answer should have (the synthetic upstream answers with this many); not sent.'),
  })
  .passthrough();

export type ChatMessage = z.infer<typeof messageSchema>;

export interface DatasetRequest {
  /** The request body to send (without `output_tokens`, `stream` or `model`: the load run sets those). */
  body: Record<string, unknown>;
  /** The answer's intended length: output_tokens, else max_completion_tokens / max_tokens, else null. */
  outputTokens: number | null;
  /** Where the request came from, for errors and reports (`file:line`). */
  line: number;
}

/** Reads and validates a JSONL dataset: every problem is `file:line: what is wrong` (exit 2). */
export function loadDataset(file: string): DatasetRequest[] {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_DATASET_BYTES)
      throw new InputError(file, null, `the dataset is ${size} bytes; datasets are read up to ${MAX_DATASET_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(file, null, `cannot read dataset (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseDataset(file, text);
}

export function parseDataset(file: string, text: string): DatasetRequest[] {
  const out: DatasetRequest[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('//')) continue;
    const line = i + 1;
    if (out.length >= MAX_DATASET_LINES) throw new InputError(file, line, `more than ${MAX_DATASET_LINES} requests in one dataset`);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new InputError(file, line, `not JSON: ${(err as Error).message}`);
    }
    const parsed = datasetLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      throw new InputError(file, line, `${path.length ? `${formatPath(path)}: ` : ''}${issue.message}`);
    }
    const { output_tokens, stream: _stream, model: _model, ...body } = parsed.data as Record<string, unknown> & { output_tokens?: number };
    const limit = parsed.data.max_completion_tokens ?? parsed.data.max_tokens;
    out.push({ body, outputTokens: output_tokens ?? limit ?? null, line });
  }
  if (out.length === 0) throw new InputError(file, null, 'the dataset holds no request (one JSON object per line)');
  return out;
}

/** What a generated workload draws per conversation and per turn. */
export interface PromptWorkload {
  /** Words in each new user message (one word is roughly one token). */
  promptTokens: Distribution;
  /** Tokens in each answer (sent as max_tokens; the synthetic upstream answers with that many). */
  outputTokens: Distribution;
  /** Turns per conversation (1: every request stands alone). */
  turns: Distribution;
  seed: number;
}

export interface ConversationTurn {
  /** The whole request body: every earlier turn (user and assistant) and the new user message. */
  body: { messages: ChatMessage[]; max_tokens: number };
  outputTokens: number;
  /** 0-based turn within the conversation. */
  turn: number;
}

const WORDS = ['stream', 'token', 'gateway', 'latency', 'model', 'answer', 'prompt', 'reason', 'context', 'budget', 'route', 'event'];

/** `n` words drawn with `random`: text of a known length, not a copy of anyone's prompts. */
export function words(n: number, random: () => number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return out.join(' ');
}

/**
 * Conversation `index` of a workload: turn k's request holds turns 0..k−1 (each user message
 * and an assistant answer of that turn's drawn length) and a new user message, so the context
 * grows turn by turn. `opening`, when given (a dataset row's messages), starts the conversation
 * instead of a generated first user message.
 */
export function conversation(w: PromptWorkload, index: number, opening?: readonly ChatMessage[]): ConversationTurn[] {
  const random = itemPrng(w.seed, index);
  const turns = createIntSampler(w.turns, random, 1)();
  const prompt = createIntSampler(w.promptTokens, random, 1);
  const output = createIntSampler(w.outputTokens, random, 1);
  const messages: ChatMessage[] = [];
  const out: ConversationTurn[] = [];
  for (let k = 0; k < turns; k++) {
    if (k === 0 && opening) messages.push(...opening.map((m) => ({ ...m })));
    else messages.push({ role: 'user', content: words(prompt(), random) });
    const outputTokens = output();
    out.push({ body: { messages: messages.map((m) => ({ ...m })), max_tokens: outputTokens }, outputTokens, turn: k });
    // The answer the next turn carries as context: of the drawn length, generated like a prompt.
    messages.push({ role: 'assistant', content: words(outputTokens, random) });
  }
  return out;
}
