// Starts a load run's server (replay upstream or reference gateway) in its own Node process and
// collects its samples. The child runs the way this module does: compiled (dist/load/server-child.js
// under plain node) or from the TypeScript sources (src/load/server-child.ts through tsx's loader,
// in a checkout and under vitest); always with --expose-gc so heap-after-GC can be measured.
// STREAMPROOF_GATEWAY_NODE_ARGS adds Node flags to the gateway process only (e.g. "--cpu-prof
// --cpu-prof-dir=reports/profiles"; see scripts/).
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GatewayMode } from '../target/target.ts';
import type { FromServer, PlanSpec, ServerSample, ToServer } from './server-messages.ts';

export interface ServerProcess {
  url: string;
  pid: number;
  /** Every sample so far, in order. */
  readonly samples: ServerSample[];
  /** Runs a full GC in the server and returns the sample taken right after it. */
  gc(): Promise<ServerSample>;
  close(): Promise<void>;
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
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.on('message', (m: FromServer) => {
      if (m.type === 'sample') samples.push(m.sample);
      else if (m.type === 'gc-done') gcWaiter?.(m.sample);
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

export function startGatewayProcess(replayUrl: string, mode: GatewayMode): Promise<ServerProcess> {
  const extra = (process.env['STREAMPROOF_GATEWAY_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  return startServerProcess({ type: 'start-gateway', replayUrl, mode }, extra);
}
