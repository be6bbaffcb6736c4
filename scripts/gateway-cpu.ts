// The reference gateway's CPU time per delivered event, measured in its own process: a replay
// upstream process plays a generated OpenAI stream (N tokens, G ms apart), a gateway process
// routes to it, and this process opens S keep-alive client connections (raw sockets: the
// cheapest client there is, so it leaves the gateway as much of the machine as possible) that each
// stream R answers one after another. The gateway's user + system CPU (from /proc/<pid>/stat) over
// the measured rounds, divided by the SSE events the clients received, is the figure.
//
//   node --import tsx scripts/gateway-cpu.ts [--streams 1000] [--tokens 40] [--gap 50]
//        [--rounds 2] [--warmup 1] [--mode normalize|passthrough] [--compiled]
//
// --compiled starts the gateway and replay processes from dist/ (run `npm run build` first): the
// load processes then run the build output under plain node instead of the sources through tsx.
// Bounded: every round has a time limit (tokens × gap + 30 s); a stream that does not finish in
// it is counted as unfinished and the script exits 1.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { processCpuUs } from './proc-cpu.ts';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1000' },
    tokens: { type: 'string', default: '40' },
    gap: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'normalize' },
    compiled: { type: 'boolean', default: false },
  },
});
const streams = Number(values.streams);
const tokens = Number(values.tokens);
const gapMs = Number(values.gap);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const mode = values.mode as 'normalize' | 'passthrough';
if (![streams, tokens, gapMs, rounds, warmup].every((n) => Number.isInteger(n) && n >= 0) || streams < 1 || rounds < 1) {
  process.stderr.write('usage: gateway-cpu.ts [--streams N] [--tokens N] [--gap MS] [--rounds N] [--warmup N] [--mode M] [--compiled]\n');
  process.exit(2);
}
if (mode !== 'normalize' && mode !== 'passthrough') {
  process.stderr.write('--mode is normalize or passthrough\n');
  process.exit(2);
}

type ServerProcessModule = typeof import('../src/load/server-process.ts');
const servers: ServerProcessModule = values.compiled
  ? ((await import(new URL('../dist/load/server-process.js', import.meta.url).href)) as ServerProcessModule)
  : await import('../src/load/server-process.ts');

/** Read and write system calls of a process so far (/proc/<pid>/io: syscr, syscw). */
function syscalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'latin1');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? Number.NaN);
  return { reads: field('syscr'), writes: field('syscw') };
}

const replay = await servers.startReplayProcess([{ slot: 'openai', synthetic: { tokens, gapMs } }], 1);
const gateway = await servers.startGatewayProcess(replay.url, mode);
const { hostname, port } = new URL(gateway.url);
const body = JSON.stringify({
  model: 'openai/gpt-synthetic',
  messages: [{ role: 'user', content: `Count to ${tokens}.` }],
  stream: true,
  stream_options: { include_usage: true },
});
const request = Buffer.from(
  `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
);
const END = '\r\n0\r\n\r\n'; // the last chunk of a chunked response

interface Client {
  socket: Socket;
  /** Called once per finished response with the events it held. */
  onDone: ((events: number) => void) | null;
}

function openClient(): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    const client: Client = { socket, onDone: null };
    let tail = '';
    let events = 0;
    let lastLF = false;
    socket.on('data', (chunk: Buffer) => {
      // Events end with a blank line; count each "\n\n", also when one is split across reads.
      if (lastLF && chunk[0] === 0x0a) events++;
      for (let i = chunk.indexOf('\n\n'); i !== -1; i = chunk.indexOf('\n\n', i + 2)) events++;
      lastLF = chunk[chunk.length - 1] === 0x0a;
      tail = (tail + chunk.latin1Slice(Math.max(0, chunk.length - END.length), chunk.length)).slice(-END.length);
      if (tail === END) {
        const done = client.onDone;
        client.onDone = null;
        tail = '';
        const n = events;
        events = 0;
        lastLF = false;
        done?.(n);
      }
    });
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

function stream(client: Client): Promise<number> {
  return new Promise((resolve) => {
    client.onDone = resolve;
    client.socket.write(request);
  });
}

/** One round: every client streams one answer; resolves with the events received and streams unfinished. */
async function round(clients: Client[], limitMs: number): Promise<{ events: number; unfinished: number }> {
  let events = 0;
  let finished = 0;
  const all = Promise.all(
    clients.map(async (c, i) => {
      // Spread the starts over ~1 s, as a ramp-up would, so the streams' events interleave.
      await new Promise((r) => setTimeout(r, (i * 1000) / clients.length));
      const n = await stream(c);
      events += n;
      finished++;
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, limitMs)))]);
  clearTimeout(timer);
  return { events, unfinished: clients.length - finished };
}

const clients: Client[] = [];
let exitCode = 0;
try {
  for (let i = 0; i < streams; i += 100) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, streams - i) }, openClient))));
  }
  const limitMs = tokens * gapMs + 30_000;
  for (let w = 0; w < warmup; w++) await round(clients, limitMs);
  const gw0 = processCpuUs(gateway.pid);
  const io0 = syscalls(gateway.pid);
  const up0 = processCpuUs(replay.pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  let events = 0;
  let unfinished = 0;
  for (let r = 0; r < rounds; r++) {
    const result = await round(clients, limitMs);
    events += result.events;
    unfinished += result.unfinished;
    if (result.unfinished > 0) break;
  }
  const wallS = (performance.now() - t0) / 1000;
  const gw = processCpuUs(gateway.pid) - gw0;
  const io1 = syscalls(gateway.pid);
  const up = processCpuUs(replay.pid) - up0;
  const self = process.cpuUsage(self0);
  const perEvent = (us: number) => (events > 0 ? (us / events).toFixed(1) : 'n/a');
  const lines = [
    `gateway-cpu: ${mode}${values.compiled ? ' (compiled)' : ' (tsx)'}, ${streams} streams × ${rounds} rounds, ${tokens} tokens ${gapMs} ms apart`,
    `  events delivered        ${events} (${(events / (streams * rounds)).toFixed(1)} per stream, ${(events / wallS).toFixed(0)}/s over ${wallS.toFixed(1)} s)`,
    `  gateway CPU per event   ${perEvent(gw)} µs (${(gw / 1e6 / wallS).toFixed(2)} cores)`,
    `  gateway syscalls/event  ${((io1.reads - io0.reads) / events).toFixed(2)} reads, ${((io1.writes - io0.writes) / events).toFixed(2)} writes`,
    `  upstream CPU per event  ${perEvent(up)} µs`,
    `  driver CPU per event    ${perEvent(self.user + self.system)} µs`,
  ];
  if (unfinished > 0) {
    lines.push(`  UNFINISHED streams      ${unfinished} (round limit ${limitMs} ms)`);
    exitCode = 1;
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const c of clients) c.socket.destroy();
  await gateway.close();
  await replay.close();
}
process.exit(exitCode);
