// Time to first byte while 1,000 streams ramp up, straight to the replay upstream or through the
// null proxy (node:http, no parsing): whether the machine can carry one more hop at that load
// before any gateway is involved. The replay and the proxy run in processes of their own (as in a
// load run); the driver is this process. Prints TTFB percentiles and each server's CPU and
// event-loop utilisation over time (a process at utilisation 1.0 with CPU under 1 core is
// runnable and waiting for one).
//
//   node --import tsx scripts/ramp-ttfb.ts [--streams 1000] [--ramp-seconds 2] [--via proxy|direct] [--compiled]
//
// `--compiled` runs the server processes from dist/ (after `npm run build`) instead of through tsx.
//
// Bounded: every stream has a 60 s total timeout; the script exits when all have ended.
import { parseArgs } from 'node:util';
import { createSseLoadDriver } from '../src/client/sse-driver.ts';
import type { ServerProcess } from '../src/load/server-process.ts';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1000' },
    'ramp-seconds': { type: 'string', default: '2' },
    via: { type: 'string', default: 'proxy' },
    compiled: { type: 'boolean', default: false },
  },
});
type ServerProcessModule = typeof import('../src/load/server-process.ts');
const { startProxyProcess, startReplayProcess }: ServerProcessModule = values.compiled
  ? ((await import(new URL('../dist/load/server-process.js', import.meta.url).href)) as ServerProcessModule)
  : await import('../src/load/server-process.ts');
const streams = Number(values.streams);
const rampMs = Number(values['ramp-seconds']) * 1000;
const via = values.via;
if (!Number.isInteger(streams) || streams < 1 || !(rampMs >= 0) || (via !== 'proxy' && via !== 'direct')) {
  process.stderr.write('usage: ramp-ttfb.ts [--streams N] [--ramp-seconds S] [--via proxy|direct]\n');
  process.exit(2);
}

const replay = await startReplayProcess([{ slot: 's', synthetic: { tokens: 40, gapMs: 50 } }], 1);
const proxy = via === 'proxy' ? await startProxyProcess(replay.url) : null;
const driver = createSseLoadDriver({
  origin: proxy?.url ?? replay.url,
  connections: streams + 8,
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 60_000,
});
const body = JSON.stringify({ model: 'synthetic', messages: [{ role: 'user', content: 'Count.' }], stream: true });
const servers: Array<[string, ServerProcess]> = [['replay', replay]];
if (proxy) servers.push(['null proxy', proxy]);
const cpu0 = await Promise.all(servers.map(([, s]) => s.cpuUs()));
const t0 = performance.now();
const hr0 = Number(process.hrtime.bigint()) / 1e6; // the servers' samples are stamped in hrtime ms
const ttfb: number[] = [];
let failed = 0;
await Promise.all(
  Array.from({ length: streams }, async (_, i) => {
    await new Promise((r) => setTimeout(r, (i / streams) * rampMs));
    const origin = process.hrtime.bigint();
    const out = await driver.send({ path: '/p/s/v1/chat/completions', headers: { 'content-type': 'application/json' }, body }, origin);
    if (out.error || out.headAt === null) failed++;
    else ttfb.push(Number(out.headAt - origin) / 1e6);
  }),
);
const wallMs = performance.now() - t0;
const cpu1 = await Promise.all(servers.map(([, s]) => s.cpuUs()));
ttfb.sort((a, b) => a - b);
const q = (p: number) => (ttfb.length ? ttfb[Math.min(ttfb.length - 1, Math.floor(p * ttfb.length))]!.toFixed(1) : '—');
process.stdout.write(
  `ramp-ttfb: ${streams} streams over ${rampMs / 1000} s, ${via === 'proxy' ? 'through the null proxy' : 'straight to the replay upstream'}\n` +
    `  TTFB ms   p50 ${q(0.5)}  p90 ${q(0.9)}  p99 ${q(0.99)}  max ${q(1)}  (${failed} failed)\n`,
);
servers.forEach(([name, s], i) => {
  const series = s.samples
    .filter((x) => x.atMs >= hr0)
    .filter((_, k) => k % 5 === 0)
    .map((x) => `${((x.atMs - hr0) / 1000).toFixed(1)}s cpu ${x.cpu.toFixed(2)} elu ${x.elu.toFixed(2)}`);
  process.stdout.write(
    `  ${name}: ${((cpu1[i]! - cpu0[i]!) / 1000).toFixed(0)} ms CPU over ${(wallMs / 1000).toFixed(1)} s; ${series.join(' | ')}\n`,
  );
});
await driver.close();
await proxy?.close();
await replay.close();
