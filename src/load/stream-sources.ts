// What a load run sends: for each cassette (or generated stream), the client request through the
// gateway under test and the matching upstream request sent straight to the replay upstream
// (exactly what the gateway would send), each with its expected output.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { cassetteBody, goldenPath, type Cassette } from '../cassette/cassette.ts';
import type { ReplayUpstream } from '../replay/upstream.ts';
import { InputError } from '../base/errors.ts';
import { getProvider } from '../providers/index.ts';
import type { ProviderDescriptor, ProviderRoute } from '../providers/types.ts';
import { harnessGatewayConfig, type GatewayMode } from '../target/target.ts';
import { addressRequest, type TargetProfile } from '../target/profile.ts';
import type { StreamSource } from './phase.ts';
import type { PlanSpec } from './server-messages.ts';
import { expectationState } from '../checks/stream-check.ts';
import { analyzeStream } from '../client/stream-analysis.ts';
import { syntheticCassette, type SyntheticSpec } from '../cassette/synthetic.ts';

export interface LoadInput {
  cassette: Cassette;
  plan: PlanSpec;
  /** Set for generated streams: every numbered token must arrive, in order. */
  syntheticTokens: number | null;
}

/** The scenario's cassettes and generated stream, one per provider slot (the gateway routes by provider). */
export function loadInputs(scenarioFile: string, cassettes: readonly Cassette[], synthetic: SyntheticSpec | undefined): LoadInput[] {
  const inputs: LoadInput[] = cassettes.map((c) => ({
    cassette: c,
    plan: { slot: c.provider, cassetteFile: c.file },
    syntheticTokens: null,
  }));
  if (synthetic) {
    const c = syntheticCassette(synthetic);
    inputs.push({ cassette: c, plan: { slot: c.provider, synthetic }, syntheticTokens: synthetic.tokens });
  }
  if (inputs.length === 0)
    throw new InputError(scenarioFile, null, 'name cassettes with `fixtures:` or a generated stream with `synthetic:`');
  const seen = new Map<string, string>();
  for (const { cassette } of inputs) {
    if (!cassette.streaming) throw new InputError(scenarioFile, null, `${cassette.name} is not a streaming cassette (load runs stream)`);
    if (!getProvider(cassette.provider))
      throw new InputError(scenarioFile, null, `${cassette.name}: unknown provider ${cassette.provider}`);
    const other = seen.get(cassette.provider);
    if (other) {
      throw new InputError(
        scenarioFile,
        null,
        `${other} and ${cassette.name} both use provider ${cassette.provider}: a load run serves one cassette per provider (the gateway routes by provider)`,
      );
    }
    seen.set(cassette.provider, cassette.name);
  }
  return inputs;
}

/**
 * Each input's golden for a mode (null for generated streams or with fidelity off). Read before
 * any server starts, so a missing golden is bad input (exit 2) rather than a failed run.
 */
export function readGoldens(
  inputs: readonly LoadInput[],
  mode: GatewayMode,
  fidelity: boolean,
  scenarioFile: string,
): Map<string, Buffer | null> {
  const goldens = new Map<string, Buffer | null>();
  for (const { cassette, syntheticTokens } of inputs) {
    if (!fidelity || syntheticTokens !== null) {
      goldens.set(cassette.name, null);
      continue;
    }
    const golden = goldenPath(cassette, mode);
    if (!existsSync(golden)) {
      throw new InputError(
        scenarioFile,
        null,
        `no golden at ${relative(process.cwd(), golden)} for ${cassette.name}: fidelity needs one (run the parity scenarios with --update-goldens, or set fidelity: false)`,
      );
    }
    goldens.set(cassette.name, readFileSync(golden));
  }
  return goldens;
}

export interface GatewaySourceOptions {
  profile: TargetProfile;
  /** Base URL of a provider slot on the replay upstream (for profiles that pass it in headers). */
  upstreamBase: (slot: string) => string;
  goldens: Map<string, Buffer | null>;
  fidelity: boolean;
  masks: readonly string[];
}

/** Client requests through the gateway, expecting each cassette's golden. */
export function gatewaySources(inputs: readonly LoadInput[], o: GatewaySourceOptions): StreamSource[] {
  const client = getProvider('openai')!; // the client dialect
  return inputs.map(({ cassette, plan, syntheticTokens }) => {
    const address = addressRequest(o.profile, cassette.provider, String(cassette.request.body['model']), o.upstreamBase(plan.slot));
    return {
      label: cassette.name,
      request: {
        path: o.profile.chatPath,
        headers: { 'content-type': 'application/json', ...cassette.request.headers, ...address.headers },
        body: JSON.stringify({ ...cassette.request.body, model: address.model }),
      },
      expectation: expectationState({
        decoder: client,
        fidelity: o.fidelity,
        expected: o.goldens.get(cassette.name) ?? null,
        masks: o.masks,
        syntheticTokens: o.fidelity ? syntheticTokens : null,
        errorExpected: cassette.expect.error !== undefined,
      }),
    };
  });
}

/**
 * The upstream requests the reference gateway would send for each input, addressed to the
 * replay upstream directly; the expected output is the upstream body itself.
 */
export async function directSources(inputs: readonly LoadInput[], replayUrl: string, fidelity: boolean): Promise<StreamSource[]> {
  const addresses = { baseUrl: (slot: string) => `${replayUrl}/p/${encodeURIComponent(slot)}` } as Pick<ReplayUpstream, 'baseUrl'>;
  const routes = harnessGatewayConfig(addresses as ReplayUpstream, 'normalize').routes;
  const sources: StreamSource[] = [];
  for (const { cassette, plan, syntheticTokens } of inputs) {
    const provider = getProvider(cassette.provider) as ProviderDescriptor;
    const route = routes.find((r) => r.provider === cassette.provider)!;
    const providerRoute: ProviderRoute = {
      baseUrl: addresses.baseUrl(plan.slot),
      apiKey: route.apiKey,
      headers: route.headers,
      options: route.options,
    };
    const upstream = await provider.buildRequest(
      { ...cassette.request.body, model: String(cassette.request.body['model']), stream: true },
      providerRoute,
    );
    const query = new URLSearchParams(upstream.query).toString();
    sources.push({
      label: cassette.name,
      request: {
        path: `/p/${encodeURIComponent(plan.slot)}${upstream.path}${query ? `?${query}` : ''}`,
        headers: upstream.headers,
        body: upstream.body,
      },
      expectation: expectationState({
        decoder: provider,
        fidelity,
        expected: cassetteBody(cassette),
        masks: [],
        syntheticTokens: fidelity ? syntheticTokens : null,
        errorExpected: cassette.expect.error !== undefined,
      }),
    });
  }
  return sources;
}

/** Tokens (content events) one stream of this input carries. */
export function tokensPerStream(input: LoadInput): number {
  if (input.syntheticTokens !== null) return input.syntheticTokens;
  const provider = getProvider(input.cassette.provider) as ProviderDescriptor;
  const t = analyzeStream({
    origin: 0n,
    headAt: 0n,
    reads: input.cassette.response.chunks.map((c) => ({ at: 0n, bytes: c.bytes })),
    decoder: provider.createStreamDecoder({ model: 'streamproof-load', now: () => 0, newId: (p) => `${p}load` }),
    stallNs: Number.MAX_SAFE_INTEGER,
  });
  return t.contentEvents;
}
