// The gateway a run puts under test: the in-process reference gateway (one per mode, wired to the
// replay upstream), or an external one reached by URL.
import { connect } from 'node:net';
import { UnreachableError } from '../base/errors.ts';
import { startGateway } from '../gateway/server.ts';
import type { GatewayConfig, RouteConfig } from '../gateway/config.ts';
import { providers } from '../providers/index.ts';
import type { ReplayUpstream } from '../replay/upstream.ts';
import { REFERENCE_PROFILE, type ConformanceLevel, type TargetProfile } from './profile.ts';

export type GatewayMode = 'normalize' | 'passthrough';

export interface OpenTarget {
  url: string;
  close(): Promise<void>;
}

export interface TargetUnderTest {
  label: string;
  /** True for a gateway reached by --target URL (scenario masks apply only there). */
  external: boolean;
  profile: TargetProfile;
  /** How strictly the target is judged (docs/conformance-levels.md). */
  level: ConformanceLevel;
  /** Modes this target can be run in for a scenario that asks for `wanted`. */
  modes(wanted: readonly GatewayMode[]): GatewayMode[];
  open(mode: GatewayMode, replay: ReplayUpstream): Promise<OpenTarget>;
  /** Throws an UnreachableError when the target cannot be reached at all (checked once, before any case). */
  reachable(): Promise<void>;
}

/** Fixed `created` for chunks the reference gateway invents in harness runs. */
export const HARNESS_CREATED = 1_700_000_000;

/** Routes `<provider>/*` to each provider's replay slot, with throwaway credentials. */
export function harnessGatewayConfig(replay: ReplayUpstream, mode: GatewayMode): GatewayConfig {
  const routes: RouteConfig[] = providers.map((p) => ({
    match: `${p.name}/*`,
    provider: p.name,
    mode,
    baseUrl: replay.baseUrl(p.name),
    apiKey: `sk-streamproof-${p.name}`,
    headers: {},
    options: { ...p.harnessOptions },
  }));
  return {
    listen: { host: '127.0.0.1', port: 0 },
    deterministic: { created: HARNESS_CREATED },
    heartbeatMs: 0,
    limits: { maxLineBytes: 4 * 1024 * 1024, maxEventBytes: 16 * 1024 * 1024, maxRequestBytes: 16 * 1024 * 1024, bodyReadMs: 10_000 },
    routes,
  };
}

export function referenceTarget(level: ConformanceLevel = 'exact'): TargetUnderTest {
  return {
    label: 'reference gateway (in-process)',
    external: false,
    profile: REFERENCE_PROFILE,
    level,
    modes: (wanted) => [...wanted],
    reachable: async () => undefined,
    async open(mode, replay) {
      const gateway = await startGateway(harnessGatewayConfig(replay, mode));
      return { url: gateway.url, close: () => gateway.close() };
    },
  };
}

/** A gateway by URL, judged at `level` (default: the profile's, else semantic). */
export function externalTarget(url: string, profile: TargetProfile, level?: ConformanceLevel): TargetUnderTest {
  const base = url.replace(/\/+$/, '');
  return {
    label: base,
    external: true,
    profile,
    level: level ?? profile.level ?? 'semantic',
    modes: () => [profile.golden],
    reachable: () => checkReachable(base),
    async open() {
      return { url: base, close: async () => undefined };
    },
  };
}

const REACH_TIMEOUT_MS = 3_000;

/** A TCP connection to the target's host and port: a closed port or a dead host fails the run at once. */
async function checkReachable(base: string): Promise<void> {
  const url = new URL(base);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const problem = await new Promise<string | null>((resolve) => {
    const socket = connect({ host: url.hostname, port, timeout: REACH_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no TCP connection within ${REACH_TIMEOUT_MS} ms`);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  if (problem !== null)
    throw new UnreachableError(`--target ${base}: cannot connect to ${url.hostname}:${port} (${problem}); is the gateway running?`);
}
