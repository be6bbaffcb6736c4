// The servers a load run talks to. Reference target: the replay upstream and the gateway each in
// their own process. External target: the run's in-process replay upstream (the one the target
// is configured with) and the target's URL. Live upstream: the target's URL alone.
import type { ReplayUpstream } from '../replay/upstream.ts';
import type { GatewayMode, TargetUnderTest } from '../target/target.ts';
import { startGatewayProcess, startReplayProcess, type ServerProcess } from './server-process.ts';
import type { MeasuredProcess } from './phase.ts';
import type { LoadInput } from './stream-sources.ts';
import { shapedChooser } from './workload/timed-replay.ts';

export interface LoadServers {
  gatewayUrl: string;
  /** The replay upstream's URL (null when the target is wired to live providers). */
  replayUrl: string | null;
  upstreamBase(slot: string): string;
  /** The reference gateway's process (samples, GC); null for external targets. */
  gateway: ServerProcess | null;
  replayProcess: ServerProcess | null;
  /** What this run can and cannot measure, for the report. */
  scope: string;
  close(): Promise<void>;
}

export interface LoadServerOptions {
  target: TargetUnderTest;
  replay: ReplayUpstream;
  mode: GatewayMode;
  speed: number;
  live: boolean;
}

export async function startLoadServers(inputs: readonly LoadInput[], o: LoadServerOptions): Promise<LoadServers> {
  if (o.target.external) {
    const open = await o.target.open(o.mode, o.replay);
    if (!o.live) {
      for (const { cassette, plan } of inputs) {
        if ('synthetic' in plan && plan.shape) o.replay.choose(plan.slot, shapedChooser(plan.synthetic, plan.shape, o.speed));
        else o.replay.bind(plan.slot, { cassette, chunks: cassette.response.chunks, speed: o.speed });
      }
    }
    return {
      gatewayUrl: open.url,
      replayUrl: o.live ? null : o.replay.url,
      upstreamBase: (slot) => o.replay.baseUrl(slot),
      gateway: null,
      replayProcess: null,
      scope: o.live
        ? 'external target wired to live providers: client-side metrics only (no fidelity, gateway memory or direct comparison)'
        : 'external target: client-side metrics and fidelity; the gateway process is not ours to sample (no gateway memory figures), and the replay upstream runs in the driver process',
      close: () => open.close(),
    };
  }
  const replayProcess = await startReplayProcess(
    inputs.map((i) => i.plan),
    o.speed,
  );
  let gateway: ServerProcess;
  try {
    gateway = await startGatewayProcess(replayProcess.url, o.mode);
  } catch (err) {
    await replayProcess.close();
    throw err;
  }
  return {
    gatewayUrl: gateway.url,
    replayUrl: replayProcess.url,
    upstreamBase: (slot) => `${replayProcess.url}/p/${encodeURIComponent(slot)}`,
    gateway,
    replayProcess,
    scope: `reference gateway in its own process (pid ${gateway.pid}), replay upstream in another (pid ${replayProcess.pid}), driver in this one`,
    async close() {
      await gateway.close();
      await replayProcess.close();
    },
  };
}

/** The run's own processes to measure, by role: pid and CPU-time reader (processes the run does not own are left out). */
export function processReaders(processes: Record<string, ServerProcess | null | undefined>): Record<string, MeasuredProcess> {
  const out: Record<string, MeasuredProcess> = {};
  for (const [role, p] of Object.entries(processes)) if (p) out[role] = { pid: p.pid, cpuUs: () => p.cpuUs() };
  return out;
}
