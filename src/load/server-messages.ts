// The IPC protocol between a load run and its server processes (replay upstream, gateway).
import type { GatewayConfig } from '../gateway/config.ts';
import type { GatewayMode } from '../target/target.ts';
import type { SyntheticSpec } from '../cassette/synthetic.ts';
import type { SyntheticShape } from './workload/timed-replay.ts';

/** What a replay slot serves: a cassette file, or a generated stream. */
export type PlanSpec = { slot: string; cassetteFile: string } | { slot: string; synthetic: SyntheticSpec; shape?: SyntheticShape };

export type ToServer =
  | { type: 'start-replay'; plans: PlanSpec[]; speed: number }
  /** `config`, when given, is the whole gateway config (default: the harness config for replayUrl and mode). */
  | { type: 'start-gateway'; replayUrl: string; mode: GatewayMode; config?: GatewayConfig }
  | { type: 'gc' }
  /** Writes a heap snapshot (V8 collects garbage first) to a temporary file the parent reads and deletes. */
  | { type: 'heap-snapshot' }
  /** This process's CPU time so far (user + system), for CPU per event over a phase. */
  | { type: 'cpu' }
  /** Null proxy: start forwarding to upstreamUrl. */
  | { type: 'start-proxy'; upstreamUrl: string }
  /** Null proxy: the delays applied to requests that asked for one since the last ask (then a fresh record). */
  | { type: 'proxy-stats' }
  | { type: 'close' };

export type FromServer =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'sample'; sample: ServerSample }
  | { type: 'gc-done'; sample: ServerSample }
  | { type: 'heap-snapshot-done'; file: string; sample: ServerSample }
  | { type: 'cpu-usage'; cpuUs: number }
  | { type: 'proxy-stats'; stats: ProxyDelayStats };

/** The delays a null proxy actually applied (timers fire late; calibration compares with these). */
export interface ProxyDelayStats {
  count: number;
  p50Ms: number;
  meanMs: number;
}

/** One sample of a server process, every 100 ms. */
export interface ServerSample {
  /** hrtime in ms (the same monotonic clock as the driver's stamps). */
  atMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** CPU time since the previous sample / wall time since it (1 = one core). */
  cpu: number;
  /** Event-loop utilisation since the previous sample (0–1). */
  elu: number;
  /** Longest GC pause since the previous sample, ms. */
  gcPauseMaxMs: number;
  /** Gateway: streams open to clients. */
  activeStreams: number;
  /** Gateway: client requests being served (streaming or not, before and after the first byte). */
  inFlight: number;
  /** Gateway: bytes held inside stream pipelines (parser remainders), summed over streams. */
  pipelineBytes: number;
  /** Gateway: bytes queued in responses and their sockets, not yet taken by the kernel. */
  queuedWriteBytes: number;
  /** Replay: bytes written to sockets so far (headers included). */
  bytesWritten: number;
}
