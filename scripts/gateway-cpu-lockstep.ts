// The reference gateway's CPU per event with exactly one upstream read and one client write per
// event, whatever else the machine is doing. scripts/gateway-cpu.ts paces the upstream in real
// time, so on a busy machine a starved gateway finds several events per read and its CPU per
// event drops with the load; here the upstream (this process, raw sockets) sends the next event on
// every stream only once every client has received the previous one, so each gateway read holds
// one upstream write. The gateway runs in its own process; its CPU comes from /proc/<pid>/stat.
//
//   node --import tsx scripts/gateway-cpu-lockstep.ts [--streams 1000] [--tokens 40] [--rounds 2]
//        [--mode normalize|passthrough|null-proxy|tcp-relay] [--compiled]
//
// `--mode null-proxy` measures the built-in null proxy (node:http, no parsing) the same way: the
// cost of one more HTTP hop. `--mode tcp-relay` measures a process that only copies bytes between
// two TCP sockets (no HTTP at all): one read and one write per event, the floor of any relay.
//
// Bounded: each step waits at most 10 s for every client (then the script exits 1).
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { processCpuUs } from './proc-cpu.ts';
import { syntheticCassette } from '../src/cassette/synthetic.ts';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1000' },
    tokens: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'normalize' },
    compiled: { type: 'boolean', default: false },
  },
});
const streams = Number(values.streams);
const tokens = Number(values.tokens);
const rounds = Number(values.rounds);
const mode = values.mode as 'normalize' | 'passthrough' | 'null-proxy' | 'tcp-relay';
if (
  ![streams, tokens, rounds].every((n) => Number.isInteger(n) && n >= 1) ||
  !['normalize', 'passthrough', 'null-proxy', 'tcp-relay'].includes(mode)
) {
  process.stderr.write(
    'usage: gateway-cpu-lockstep.ts [--streams N] [--tokens N] [--rounds N] [--mode normalize|passthrough|null-proxy|tcp-relay] [--compiled]\n',
  );
  process.exit(2);
}
type ServerProcessModule = typeof import('../src/load/server-process.ts');
const servers: ServerProcessModule = values.compiled
  ? ((await import(new URL('../dist/load/server-process.js', import.meta.url).href)) as ServerProcessModule)
  : await import('../src/load/server-process.ts');

/** A child process that pipes each accepted connection to the upstream, byte for byte. */
async function startTcpRelay(upstreamUrl: string): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const { port: upstreamPort } = new URL(upstreamUrl);
  const code = `const net = require('node:net');
    const server = net.createServer({ noDelay: true }, (a) => {
      const b = net.connect({ host: '127.0.0.1', port: ${upstreamPort}, noDelay: true });
      a.pipe(b); b.pipe(a);
      a.on('error', () => b.destroy()); b.on('error', () => a.destroy());
    });
    server.listen(0, '127.0.0.1', () => process.send(server.address().port));
    process.on('message', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(m as number)));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    close: async () => {
      child.send('close');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

// The upstream's steps: the generated stream's chunks, those recorded at the same time in one write.
const cassette = syntheticCassette({ tokens, gapMs: 50 });
const steps: Buffer[] = [];
let lastAt = -1;
for (const c of cassette.response.chunks) {
  const frame = Buffer.concat([Buffer.from(`${c.bytes.length.toString(16)}\r\n`), c.bytes, Buffer.from('\r\n')]);
  if (c.at === lastAt) steps[steps.length - 1] = Buffer.concat([steps[steps.length - 1]!, frame]);
  else steps.push(frame);
  lastAt = c.at;
}
steps[steps.length - 1] = Buffer.concat([steps[steps.length - 1]!, Buffer.from('0\r\n\r\n')]);
const HEAD = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n');

// Upstream: answers each request (headers only) and then waits for the steps.
const upstreams: Socket[] = [];
let onUpstream: (() => void) | null = null;
const upstream = createServer((socket) => {
  socket.setNoDelay(true);
  let seen = '';
  socket.on('data', (chunk: Buffer) => {
    seen += chunk.latin1Slice(0, chunk.length);
    const head = seen.indexOf('\r\n\r\n');
    if (head === -1) return;
    const length = Number(/content-length: *(\d+)/i.exec(seen.slice(0, head))?.[1] ?? 0);
    if (seen.length < head + 4 + length) return;
    seen = seen.slice(head + 4 + length);
    socket.write(HEAD);
    upstreams.push(socket);
    onUpstream?.();
  });
});
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
const gateway =
  mode === 'tcp-relay'
    ? await startTcpRelay(upstreamUrl)
    : mode === 'null-proxy'
      ? await servers.startProxyProcess(upstreamUrl)
      : await servers.startGatewayProcess(upstreamUrl, mode);
const { hostname, port } = new URL(gateway.url);
const body = JSON.stringify({
  model: 'openai/gpt-synthetic',
  messages: [{ role: 'user', content: 'Count.' }],
  stream: true,
  stream_options: { include_usage: true },
});
const request = Buffer.from(
  `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
);

interface Client {
  socket: Socket;
  bytes: number;
  events: number;
  lastLF: boolean;
}
let onClientBytes: (() => void) | null = null;
const clients: Client[] = [];
for (let i = 0; i < streams; i++) {
  const socket = connect({ host: hostname, port: Number(port) });
  socket.setNoDelay(true);
  const client: Client = { socket, bytes: 0, events: 0, lastLF: false };
  socket.on('data', (chunk: Buffer) => {
    if (client.lastLF && chunk[0] === 0x0a) client.events++;
    for (let j = chunk.indexOf('\n\n'); j !== -1; j = chunk.indexOf('\n\n', j + 2)) client.events++;
    client.lastLF = chunk[chunk.length - 1] === 0x0a;
    client.bytes += chunk.length;
    onClientBytes?.();
  });
  clients.push(client);
}

/** Resolves once `ready()` holds, re-checked whenever `hook` is called; false after 10 s. */
function until(ready: () => boolean, setHook: (f: (() => void) | null) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      setHook(null);
      resolve(false);
    }, 10_000);
    const check = () => {
      if (!ready()) return;
      clearTimeout(timer);
      setHook(null);
      resolve(true);
    };
    setHook(check);
    check();
  });
}

async function round(): Promise<boolean> {
  upstreams.length = 0;
  for (const c of clients) c.socket.write(request);
  if (
    !(await until(
      () => upstreams.length === streams,
      (f) => (onUpstream = f),
    ))
  )
    return false;
  for (const step of steps) {
    const before = clients.map((c) => c.bytes);
    for (const u of upstreams) u.write(step);
    if (
      !(await until(
        () => clients.every((c, i) => c.bytes > before[i]!),
        (f) => (onClientBytes = f),
      ))
    )
      return false;
  }
  // The last step ends the upstream response; the gateway's end of the client response follows it.
  await new Promise((r) => setTimeout(r, 50));
  return true;
}

let exitCode = 0;
try {
  if (!(await round())) throw new Error('warm-up round did not finish');
  const events0 = clients.reduce((n, c) => n + c.events, 0);
  const cpu0 = processCpuUs(gateway.pid);
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) if (!(await round())) throw new Error(`round ${r + 1} did not finish within its bounds`);
  const cpu = processCpuUs(gateway.pid) - cpu0;
  const events = clients.reduce((n, c) => n + c.events, 0) - events0;
  const label = `${mode}${values.compiled ? ' (compiled)' : ' (tsx)'}`;
  process.stdout.write(
    `gateway-cpu-lockstep: ${label}, ${streams} streams × ${rounds} rounds, ${steps.length} upstream writes per stream\n` +
      `  events delivered        ${events} (${(events / (streams * rounds)).toFixed(1)} per stream, over ${((performance.now() - t0) / 1000).toFixed(1)} s)\n` +
      `  gateway CPU per event   ${(cpu / events).toFixed(1)} µs\n`,
  );
} catch (err) {
  process.stderr.write(`gateway-cpu-lockstep: ${(err as Error).message}\n`);
  exitCode = 1;
} finally {
  for (const c of clients) c.socket.destroy();
  for (const u of upstreams) u.destroy();
  await gateway.close();
  upstream.close();
}
process.exit(exitCode);
