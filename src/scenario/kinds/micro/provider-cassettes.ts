// The shipped streaming cassettes of each registered provider (fixtures/<provider>/*.yaml), as
// input for the per-provider micro-benchmarks. Iterating the registry means a new provider joins
// the benchmarks as soon as it has a folder of cassettes.
import { globSync } from 'tinyglobby';
import { packageFile } from '../../../base/package-files.ts';
import { loadCassette, type Cassette } from '../../../cassette/cassette.ts';
import { providers } from '../../../providers/index.ts';
import type { DecoderContext, ProviderDescriptor } from '../../../providers/types.ts';

const FIXTURES = packageFile('fixtures');

export interface ProviderInput {
  provider: ProviderDescriptor;
  cassettes: Cassette[];
  /** Why a provider has no input (no folder, no streaming cassette, a file that does not load). */
  skipped?: string;
}

export function providerInputs(fixturesDir = FIXTURES): ProviderInput[] {
  return providers.map((provider) => {
    const files = globSync(`${provider.name}/*.yaml`, { cwd: fixturesDir, absolute: true }).sort();
    const cassettes: Cassette[] = [];
    const problems: string[] = [];
    for (const f of files) {
      try {
        const c = loadCassette(f);
        if (c.streaming && c.response.status === 200) cassettes.push(c);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    if (cassettes.length > 0) return { provider, cassettes };
    return { provider, cassettes, skipped: problems[0] ?? `no streaming cassette under fixtures/${provider.name}/` };
  });
}

/** The fixed ids and clock of harness runs (outputs are reproducible). */
export function benchContext(model: string): DecoderContext {
  let n = 0;
  return { model, now: () => 1_700_000_000, newId: (prefix) => `${prefix}bench${n++}`, maxLineBytes: 4 * 1024 * 1024 };
}
