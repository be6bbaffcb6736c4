// `kind: fuzz`: property-based fuzzing of the gateway's stream handling (see src/fuzz/).
import { z } from 'zod';
import { parseDuration } from '../../../base/duration.ts';
import { PROPERTY_NAMES } from '../../../fuzz/properties.ts';

export const fuzzScenarioSchema = z
  .object({
    kind: z.literal('fuzz'),
    name: z.string().min(1),
    description: z.string().optional(),
    providers: z.array(z.string()).optional().describe('Providers to fuzz (default: every provider with a generator).'),
    properties: z.array(z.enum(PROPERTY_NAMES)).optional().describe('Properties to run (default: all four).'),
    runs: z.number().int().positive().max(10_000_000).default(200).describe('Runs per property and provider.'),
    seed: z.number().int().default(42),
    timeBudget: z
      .string()
      .refine((t) => parseDuration(t) !== null, { message: 'a duration like "30s", "5m" or "1500ms"' })
      .default('20s')
      .describe('Time limit per property and provider; a run that reaches it stops early and says so.'),
  })
  .strict();

export type FuzzScenario = z.infer<typeof fuzzScenarioSchema>;
