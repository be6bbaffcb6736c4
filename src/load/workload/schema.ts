// `workload:` in a load scenario: what the requests look like (prompt and output lengths drawn
// from distributions, or a team's own JSONL dataset; turns per conversation) and how the
// synthetic upstream times its answers. Validated with the scenario, so a bad value is exit 2
// naming the file and line.
import { z } from 'zod';
import { distributionSchema } from './distributions.ts';
import { timingModelSchema } from './timing-model.ts';

export const workloadSchema = z
  .object({
    promptTokens: distributionSchema.optional().describe('Words in each generated user message (about one token each).'),
    outputTokens: distributionSchema
      .optional()
      .describe('Tokens in each answer: sent as max_tokens, and the generated upstream answers with that many.'),
    turns: distributionSchema.optional().describe('Turns per conversation; each later turn carries the earlier ones as context.'),
    dataset: z
      .string()
      .min(1)
      .optional()
      .describe('A JSONL file (relative to the scenario) of OpenAI chat request bodies, one per line, sent in order.'),
    timing: timingModelSchema.optional(),
    seed: z.number().int().default(1).describe('Seeds every draw: the same seed sends the same requests.'),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.dataset !== undefined && w.promptTokens !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['promptTokens'],
        message: 'workload: a dataset brings its own prompts; give promptTokens or dataset, not both',
      });
  })
  .describe('Requests shaped like use, with the generated upstream timed like a model (docs/workloads.md).');

export type Workload = z.infer<typeof workloadSchema>;
