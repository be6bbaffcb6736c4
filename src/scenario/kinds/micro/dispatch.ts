// Dispatch overhead per request: routing (resolveRoute over the harness's routes, one per
// provider) plus request translation (provider.buildRequest, which signs for some providers).
import { Bench } from 'tinybench';
import { resolveRoute } from '../../../gateway/config.ts';
import type { ReplayUpstream } from '../../../replay/upstream.ts';
import type { ProviderRoute } from '../../../providers/types.ts';
import { harnessGatewayConfig } from '../../../target/target.ts';
import type { ProviderInput } from './provider-cassettes.ts';
import { medianMs } from './tinybench-result.ts';

export interface DispatchFigure {
  provider: string;
  usPerRequest: number;
}

export async function benchDispatch(inputs: readonly ProviderInput[], timeMs: number): Promise<DispatchFigure[]> {
  const addresses = { baseUrl: (slot: string) => `http://127.0.0.1:9/p/${slot}` } as Pick<ReplayUpstream, 'baseUrl'>;
  const routes = harnessGatewayConfig(addresses as ReplayUpstream, 'normalize').routes;
  const usable = inputs.filter((i) => !i.skipped);
  const rounds = 50;
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
  for (const { provider, cassettes } of usable) {
    const body = cassettes[0]!.request.body;
    const model = `${provider.name}/${String(body['model'])}`;
    bench.add(provider.name, async () => {
      for (let r = 0; r < rounds; r++) {
        const resolved = resolveRoute(routes, model);
        if (!resolved) throw new Error(`no route for ${model}`);
        const route = resolved.route;
        const providerRoute: ProviderRoute = {
          baseUrl: route.baseUrl ?? provider.defaultBaseUrl,
          apiKey: route.apiKey,
          headers: route.headers,
          options: route.options,
        };
        await provider.buildRequest({ ...body, model: resolved.upstreamModel, stream: true }, providerRoute);
      }
    });
  }
  await bench.run();
  return usable.map(({ provider }) => ({ provider: provider.name, usPerRequest: (medianMs(bench, provider.name) * 1000) / rounds }));
}
