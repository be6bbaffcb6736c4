// What a streaming load or soak run puts up before its phases: the servers (gateway and replay,
// or the external target), the goldens, and the client-side sources aimed at the gateway.
import type { ReplayUpstream } from '../replay/upstream.ts';
import type { TargetUnderTest } from '../target/target.ts';
import { startLoadServers } from './load-servers.ts';
import { gatewaySources, type loadInputs, readGoldens } from './stream-sources.ts';

export interface GatewayLoadSettings {
  mode: 'normalize' | 'passthrough';
  speed: number;
  fidelity: boolean;
  upstream: 'replay' | 'live';
}

export async function openGatewayLoad(
  file: string,
  inputs: ReturnType<typeof loadInputs>,
  settings: GatewayLoadSettings,
  ctx: { target: TargetUnderTest; replay: ReplayUpstream },
) {
  const external = ctx.target.external;
  const live = external && settings.upstream === 'live';
  const mode = external ? ctx.target.profile.golden : settings.mode;
  const fidelity = settings.fidelity && !live;
  const goldens = readGoldens(inputs, mode, fidelity, file);
  const servers = await startLoadServers(inputs, { target: ctx.target, replay: ctx.replay, mode, speed: settings.speed, live });
  try {
    const sources = gatewaySources(inputs, {
      profile: ctx.target.profile,
      upstreamBase: servers.upstreamBase,
      goldens,
      fidelity,
      masks: external ? ctx.target.profile.masks : [],
    });
    return { external, live, mode, fidelity, servers, sources };
  } catch (err) {
    await servers.close();
    throw err;
  }
}
