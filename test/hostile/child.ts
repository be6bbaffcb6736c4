// The CLI as a child process, as a user runs it, with its peak memory: /proc/<pid>/status is read
// every SAMPLE_MS (VmHWM, the kernel's own high-water mark of resident memory, so a peak between
// two samples still counts). Output is kept up to a bound, and the child is killed at a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const SAMPLE_MS = 50;
const MAX_OUTPUT_CHARS = 1024 * 1024;

export interface Child {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Highest resident set seen so far, in bytes (VmHWM). */
  peakRss(): number;
  /** Resolves with the exit code (or the signal's name) once the child has exited and its output is read. */
  exited: Promise<number | string>;
  /** Resolves with the first stdout text matching `re` (rejects if the child exits first). */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after 20 s; resolves when it has exited. */
  stop(): Promise<number | string>;
}

export function spawnCli(args: string[], options: { deadlineMs: number; cwd?: string; env?: NodeJS.ProcessEnv }): Child {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'streamproof.js'), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (t: string) => {
    if (stdout.length < MAX_OUTPUT_CHARS) stdout += t;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (t: string) => {
    if (stderr.length < MAX_OUTPUT_CHARS) stderr += t;
  });
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // exited between two samples
    }
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const deadline = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs);
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(deadline);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  // A last sample as it is about to exit is not possible from outside; the stdout stream's end
  // comes after the exit of the code that wrote it, so sample on every write too.
  child.stdout!.on('data', sample);
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    peakRss: () => peak,
    exited,
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(stdout);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${re} on stdout within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(() => {
          if (listeners.has(check)) {
            done();
            reject(new Error(`exited before ${re} on stdout; stderr: ${stderr}`));
          }
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        const code = await exited;
        clearTimeout(kill);
        return code;
      }
      return exited;
    },
  };
}
