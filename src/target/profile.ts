// Target profiles: how to address each provider through a gateway under test. Real gateways name
// providers differently (model prefixes, aliases in their own config, or per-request headers
// carrying the provider and its base URL); a profile states which, per provider.
import { z } from 'zod';
import { loadYamlFile } from '../base/yaml-input.ts';

const providerEntrySchema = z
  .object({
    model: z.string().default('{provider}/{model}').describe('Model name to send; {provider}, {model} and {upstream} are replaced.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers; the same placeholders apply.'),
  })
  .strict();

export const targetProfileSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    chatPath: z.string().startsWith('/').default('/v1/chat/completions'),
    golden: z.enum(['normalize', 'passthrough']).default('normalize').describe('Which goldens the output is compared with.'),
    upstream: z
      .enum(['config', 'header'])
      .default('config')
      .describe('config: the target is configured with the printed per-provider base URLs; header: the headers above carry {upstream}.'),
    masks: z.array(z.string()).default([]).describe('JSON paths the target invents (ids, timestamps); listed in every report.'),
    providers: z.record(z.string(), providerEntrySchema).default({}).describe('Per provider; "*" is the default for the rest.'),
  })
  .strict();

export type TargetProfile = z.infer<typeof targetProfileSchema>;

export const REFERENCE_PROFILE: TargetProfile = {
  name: 'reference',
  description: 'The streamproof reference gateway: models are addressed as <provider>/<model>.',
  chatPath: '/v1/chat/completions',
  golden: 'normalize',
  upstream: 'config',
  masks: [],
  providers: { '*': { model: '{provider}/{model}', headers: {} } },
};

export function loadTargetProfile(file: string): TargetProfile {
  return loadYamlFile(file, targetProfileSchema).value;
}

export interface AddressedRequest {
  model: string;
  headers: Record<string, string>;
}

export function addressRequest(profile: TargetProfile, provider: string, model: string, upstream: string): AddressedRequest {
  const entry = profile.providers[provider] ?? profile.providers['*'] ?? { model: '{provider}/{model}', headers: {} };
  const fill = (t: string) => t.replaceAll('{provider}', provider).replaceAll('{model}', model).replaceAll('{upstream}', upstream);
  return {
    model: fill(entry.model),
    headers: Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k, fill(v)])),
  };
}
