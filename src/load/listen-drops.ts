// Connection attempts the kernel dropped because a listen queue was full (TcpExt ListenOverflows
// in /proc/net/netstat). Each dropped SYN costs its client a retransmit 1 s later (then 3 s, 7 s),
// which a load run would otherwise report as seconds of latency and blame on the gateway. The
// counter is machine-wide: any process's full queue counts, which is as it should be for a figure
// that says "this phase's latencies include a kernel drop".
import { readFileSync } from 'node:fs';

/** ListenOverflows so far, or null where the kernel does not report it (not Linux). */
export function listenOverflows(file = '/proc/net/netstat'): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return null;
  }
  return parseListenOverflows(text);
}

/** The TcpExt ListenOverflows value of a /proc/net/netstat text (header line, then value line). */
export function parseListenOverflows(text: string): number | null {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.startsWith('TcpExt:') || !lines[i + 1]!.startsWith('TcpExt:')) continue;
    const names = lines[i]!.trim().split(/\s+/);
    const values = lines[i + 1]!.trim().split(/\s+/);
    const at = names.indexOf('ListenOverflows');
    if (at === -1) return null;
    const value = Number(values[at]);
    return Number.isFinite(value) ? value : null;
  }
  return null;
}
