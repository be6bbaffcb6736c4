// Scenario files: what a run does. The file's `kind` picks one of the registered kinds, and that
// kind's schema validates the rest.
import { z } from 'zod';
import { scenarioKinds } from './kinds/index.ts';

type RegisteredKind = (typeof scenarioKinds)[number];
type KindSchema = RegisteredKind['schema'];

export const scenarioSchema = z.discriminatedUnion(
  'kind',
  scenarioKinds.map((k) => k.schema) as unknown as [KindSchema & z.ZodObject, ...(KindSchema & z.ZodObject)[]],
);

export type Scenario = z.infer<KindSchema>;
