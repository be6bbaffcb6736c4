// The `kind: http-load` scenario file.
import { z } from 'zod';
import { thresholdsSchema, driverSchema, boundsSchema } from '../../../load/schema.ts';

export const httpLoadScenarioSchema = z
  .object({
    kind: z.literal('http-load'),
    name: z.string().min(1),
    description: z.string().optional(),
    fixtures: z.array(z.string().min(1)).length(1).describe('The one non-streaming cassette to serve.'),
    mode: z.enum(['normalize', 'passthrough']).default('normalize'),
    connections: z.number().int().min(1).max(10_000).default(50),
    duration: boundsSchema,
    warmupSeconds: z.number().min(0).default(2),
    timeoutSeconds: z.number().positive().default(10),
    driver: driverSchema,
    thresholds: thresholdsSchema('http-load'),
  })
  .strict();

export type HttpLoadScenario = z.infer<typeof httpLoadScenarioSchema>;
