// The shape of what an OpenAI-compatible chat-completions endpoint sends, as a zod schema: one
// `chat.completion.chunk` per streamed event, an `{"error": …}` body or event, and a non-streamed
// `chat.completion`. Unknown fields are allowed everywhere (gateways and providers add their own:
// system_fingerprint, obfuscation, content_filter_results, …); the fields a client reads must have
// the type the OpenAI SDKs expect. A failure names the field by its path.
import { z } from 'zod';
import { formatPath } from '../base/yaml-input.ts';

const toolCallDelta = z.looseObject({
  index: z.number().int().nonnegative(),
  id: z.string().min(1).nullish(),
  type: z.literal('function').nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const delta = z.looseObject({
  role: z.string().nullish(),
  content: z.string().nullish(),
  refusal: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
  tool_calls: z.array(toolCallDelta).nullish(),
});

const usage = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});

export const chatCompletionChunkSchema = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int().nonnegative(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number().int().nonnegative(),
      delta,
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: usage.nullish(),
});

/**
 * Azure OpenAI's first chunk carries only the prompt's content-filter results: empty id, model and
 * object, `created: 0`, no choices. OpenAI SDKs accept it, so it is a chunk, not a defect.
 */
export const promptFilterChunkSchema = z.looseObject({
  id: z.literal(''),
  object: z.literal(''),
  created: z.literal(0),
  model: z.literal(''),
  choices: z.array(z.unknown()).length(0),
  prompt_filter_results: z.array(z.unknown()),
});

export const errorBodySchema = z.looseObject({
  error: z.looseObject({ message: z.string(), type: z.string().nullish(), code: z.union([z.string(), z.number()]).nullish() }),
});

export const chatCompletionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('chat.completion'),
  created: z.number().int().nonnegative(),
  model: z.string().min(1),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().nonnegative(),
        message: z.looseObject({ role: z.literal('assistant'), content: z.string().nullable() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: usage.nullish(),
});

/** The first problem of a value against a schema, as `path: message`; null when it fits. */
export function shapeProblem(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  return `${path.length ? formatPath(path) : '(the payload)'}: ${issue.message}`;
}
