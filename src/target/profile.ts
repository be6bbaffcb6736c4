// Target profiles: how to address each provider through a gateway under test. Real gateways name
// providers differently (model prefixes, aliases in their own config, or per-request headers
// carrying the provider and its base URL); a profile states which, per provider. It also says how
// strictly the target is judged (`level`) and, for a team that pins its own gateway's output,
// where that gateway's goldens live (`goldens`).
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from '../base/yaml-input.ts';

/**
 * Conformance levels, loosest first; each includes the ones before it. protocol: what every
 * OpenAI-compatible streaming endpoint must do; semantic: plus the cassette's reviewed meaning;
 * exact: plus the golden bytes. See docs/conformance-levels.md.
 */
export const CONFORMANCE_LEVELS = ['protocol', 'semantic', 'exact'] as const;
export type ConformanceLevel = (typeof CONFORMANCE_LEVELS)[number];

/** True when a run at `level` runs the checks of `wanted`. */
export function levelIncludes(level: ConformanceLevel, wanted: ConformanceLevel): boolean {
  return CONFORMANCE_LEVELS.indexOf(level) >= CONFORMANCE_LEVELS.indexOf(wanted);
}

/** The placeholders a model or header template may use. */
export const PROFILE_PLACEHOLDERS = ['{provider}', '{model}', '{upstream}'] as const;

/** A JSON path as masks take it: `$` then `.key`, `[n]` or `[*]` steps. */
export const MASK_PATH = /^\$(\.[A-Za-z0-9_]+|\[\d+\]|\[\*\])+$/;
export const MASK_PATH_HINT = 'a mask is a JSON path like $.id or $.choices[*].delta.x';

/** Template text with no placeholder other than the known ones. */
const template = z.string().superRefine((text, ctx) => {
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    if (!(PROFILE_PLACEHOLDERS as readonly string[]).includes(m[0]))
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder ${m[0]} in ${JSON.stringify(text)}; the placeholders are ${PROFILE_PLACEHOLDERS.join(', ')}`,
      });
  }
});

const providerEntrySchema = z
  .object({
    model: template.default('{provider}/{model}').describe('Model name to send; {provider}, {model} and {upstream} are replaced.'),
    headers: z.record(z.string(), template).default({}).describe('Extra request headers; the same placeholders apply.'),
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
    level: z
      .enum(CONFORMANCE_LEVELS)
      .optional()
      .describe(
        'Conformance level: protocol, semantic or exact (default: semantic for a --target, exact for the reference); --level wins.',
      ),
    goldens: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Directory of this target's own goldens (relative to this file): `--update-goldens --target` writes there and `exact` compares with them.",
      ),
    masks: z
      .array(
        z.string().refine((m) => MASK_PATH.test(m), {
          error: (issue) => `${JSON.stringify(issue.input)} is not a JSON path: ${MASK_PATH_HINT}`,
        }),
      )
      .default([])
      .describe('JSON paths the target invents (ids, timestamps); listed in every report.'),
    providers: z.record(z.string(), providerEntrySchema).default({}).describe('Per provider; "*" is the default for the rest.'),
  })
  .strict();

export type TargetProfile = z.infer<typeof targetProfileSchema> & {
  /** `goldens` resolved against the profile file (absent when the profile names none). */
  goldensDir?: string;
};

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
  const loaded = loadYamlFile(file, targetProfileSchema);
  const profile: TargetProfile = loaded.value;
  return profile.goldens === undefined ? profile : { ...profile, goldensDir: resolve(dirname(file), profile.goldens) };
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
