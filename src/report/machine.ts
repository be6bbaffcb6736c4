// The machine a benchmark ran on, as BENCHMARKS.md records it: cores (nproc), Node version,
// CPU model (/proc/cpuinfo), memory, and the load average (a shared machine shows here).
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, platform, release, totalmem } from 'node:os';
import type { RunEnvironment } from '../checks/result.ts';

/** The machine part of a run's environment (summary.json carries it with the command). */
export type MachineInfo = Omit<RunEnvironment, 'command'>;

export function machineInfo(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    // not Linux: leave it unknown
  }
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  return {
    cores: availableParallelism(),
    node: process.version,
    cpuModel,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    load: [l1, l5, l15],
  };
}
