// Starts a load run's server (replay upstream or reference gateway) in its own Node process and
// collects its samples. The child runs the way this module does: compiled (dist/load/server-child.js
// under plain node) or from the TypeScript sources (src/load/server-child.ts through tsx's loader,
// in a checkout and under vitest); always with --expose-gc so heap-after-GC can be measured.
// STREAMPROOF_GATEWAY_NODE_ARGS adds Node flags to the gateway process only (e.g. "--cpu-prof
// --cpu-prof-dir=reports/profiles"; see scripts/).
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GatewayConfig } from '../gateway/config.ts';
import type { GatewayMode } from '../target/target.ts';
import { liveHeapBytesOfFile } from './heap-snapshot.ts';
import type { FromServer, PlanSpec, ProxyDelayStats, ServerSample, ToServer } from './server-messages.ts';

export interface ServerProcess {
  url: string;
  pid: number;
  /** Every sample so far, in order. */
  readonly samples: ServerSample[];
  /** Runs a full GC in the server and returns the sample taken right after it. */
  gc(): Promise<ServerSample>;
  /**
   * Writes a heap snapshot in the server (V8 collects garbage first) and returns the bytes of
   * every object in it (see heap-snapshot.ts), with the sample taken right after it.
   */
  liveHeap(): Promise<{ bytes: number; sample: ServerSample }>;
  /** The process's CPU time so far, user + system, µs. */
  cpuUs(): Promise<number>;
  /** Null proxy: the delays applied to requests that asked for one, since the last call. */
  takeProxyDelayStats(): Promise<ProxyDelayStats>;
  /** False once the process has exited (for whatever reason). */
  readonly running: boolean;
  close(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** The whole gateway config (default: the harness config for the replay URL and mode). */
  config?: GatewayConfig;
  /** --max-old-space-size for the gateway process, in MB (default: Node's own). */
  maxOldSpaceMb?: number;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(FROM_SOURCE ? './server-child.ts' : './server-child.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

/** Node flags that let the child load its entry: tsx's loader for the sources, none compiled. */
function loaderArgs(): string[] {
  return FROM_SOURCE ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
}

async function startServerProcess(start: ToServer, extraNodeArgs: string[]): Promise<ServerProcess> {
  const child: ChildProcess = fork(ENTRY, [], {
    execArgv: [...loaderArgs(), '--expose-gc', ...extraNodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const samples: ServerSample[] = [];
  let gcWaiter: ((s: ServerSample) => void) | null = null;
  let snapshotWaiter: ((m: { file: string; sample: ServerSample }) => void) | null = null;
  // Answers to cpu and proxy questions come back in the order they were asked.
  const cpuWaiters: Array<(us: number) => void> = [];
  const statsWaiters: Array<(s: ProxyDelayStats) => void> = [];
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );

  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.on('message', (m: FromServer) => {
      if (m.type === 'sample') samples.push(m.sample);
      else if (m.type === 'gc-done') gcWaiter?.(m.sample);
      else if (m.type === 'heap-snapshot-done') snapshotWaiter?.(m);
      else if (m.type === 'cpu-usage') cpuWaiters.shift()?.(m.cpuUs);
      else if (m.type === 'proxy-stats') statsWaiters.shift()?.(m.stats);
      else if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.url);
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`server process failed: ${m.message}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (code ${code}) before it was ready`));
    });
  });
  const post = (m: ToServer) => child.send(m);
  function ask<T>(waiters: Array<(v: T) => void>, m: ToServer): Promise<T> {
    return new Promise((resolve, reject) => {
      if (!running) return reject(new Error(`server process has exited; cannot ask ${m.type}`));
      const timer = setTimeout(() => reject(new Error(`server process did not answer ${m.type}`)), 30_000);
      waiters.push((v) => {
        clearTimeout(timer);
        resolve(v);
      });
      post(m);
    });
  }
  post(start);
  let url: string;
  try {
    url = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    pid: child.pid ?? 0,
    samples,
    gc() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server process did not answer a GC request')), 30_000);
        gcWaiter = (s) => {
          clearTimeout(timer);
          gcWaiter = null;
          resolve(s);
        };
        post({ type: 'gc' });
      });
    },
    async liveHeap() {
      const { file, sample } = await new Promise<{ file: string; sample: ServerSample }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server process did not answer a heap snapshot request')), 120_000);
        snapshotWaiter = (m) => {
          clearTimeout(timer);
          snapshotWaiter = null;
          resolve(m);
        };
        // A process that dies while writing its snapshot (out of memory) answers nothing.
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`server process exited (code ${code}) before its heap snapshot was written`));
        });
        post({ type: 'heap-snapshot' });
      });
      try {
        return { bytes: liveHeapBytesOfFile(file), sample };
      } finally {
        rmSync(file, { force: true });
      }
    },
    cpuUs: () => ask(cpuWaiters, { type: 'cpu' }),
    takeProxyDelayStats: () => ask(statsWaiters, { type: 'proxy-stats' }),
    get running() {
      return running;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      post({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function startReplayProcess(plans: PlanSpec[], speed: number): Promise<ServerProcess> {
  return startServerProcess({ type: 'start-replay', plans, speed }, []);
}

/** The null proxy (null-proxy.ts) in its own process, forwarding to upstreamUrl. */
export function startProxyProcess(upstreamUrl: string): Promise<ServerProcess> {
  return startServerProcess({ type: 'start-proxy', upstreamUrl }, []);
}

export function startGatewayProcess(replayUrl: string, mode: GatewayMode, options: GatewayProcessOptions = {}): Promise<ServerProcess> {
  const extra = (process.env['STREAMPROOF_GATEWAY_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  if (options.maxOldSpaceMb !== undefined) extra.unshift(`--max-old-space-size=${options.maxOldSpaceMb}`);
  const start: ToServer = options.config
    ? { type: 'start-gateway', replayUrl, mode, config: options.config }
    : { type: 'start-gateway', replayUrl, mode };
  return startServerProcess(start, extra);
}
