// Entry of a load run's server process: starts the replay upstream, the reference gateway or the
// null proxy on its own event loop (so the driver's loop never serves it), samples its memory,
// CPU and buffers every 100 ms, and reports over IPC. Started by server-process.ts with --expose-gc.
import { subscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { loadCassette, type Cassette } from '../cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../replay/upstream.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { harnessGatewayConfig } from '../target/target.ts';
import type { FromServer, PlanSpec, ServerSample, ToServer } from './server-messages.ts';
import { syntheticCassette } from '../cassette/synthetic.ts';
import { startNullProxy, type NullProxy } from './null-proxy.ts';
import { shapedChooser } from './workload/timed-replay.ts';

const SAMPLE_EVERY_MS = 100;

const send = (m: FromServer) => process.send?.(m);
let gateway: RunningGateway | null = null;
let replay: ReplayUpstream | null = null;
let proxy: NullProxy | null = null;

// Every response and socket of this process's HTTP server, seen through Node's public
// diagnostics channel (the gateway does not expose its server).
const responses = new Set<ServerResponse>();
const sockets = new Set<Socket>();
let closedSocketBytes = 0;
subscribe('http.server.request.start', (message) => {
  const { response, socket } = message as { response: ServerResponse; socket: Socket };
  responses.add(response);
  response.once('close', () => responses.delete(response));
  if (!sockets.has(socket)) {
    sockets.add(socket);
    socket.once('close', () => {
      closedSocketBytes += socket.bytesWritten;
      sockets.delete(socket);
    });
  }
});

// GC pauses, to tell a gateway's own GC from machine noise in latency tails.
let gcPauseMaxMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauseMaxMs = Math.max(gcPauseMaxMs, e.duration);
}).observe({ entryTypes: ['gc'] });

let lastCpu = process.cpuUsage();
let lastElu = performance.eventLoopUtilization();
let lastAt = performance.now();

function sample(): ServerSample {
  const mem = process.memoryUsage();
  const now = performance.now();
  const cpu = process.cpuUsage(lastCpu);
  const elu = performance.eventLoopUtilization(lastElu);
  const wallUs = Math.max((now - lastAt) * 1000, 1);
  lastCpu = process.cpuUsage();
  lastElu = performance.eventLoopUtilization();
  lastAt = now;
  const gcMax = gcPauseMaxMs;
  gcPauseMaxMs = 0;
  let queued = 0;
  for (const r of responses) queued += r.writableLength;
  let written = closedSocketBytes;
  for (const s of sockets) written += s.bytesWritten;
  return {
    atMs: Number(process.hrtime.bigint()) / 1e6,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    cpu: (cpu.user + cpu.system) / wallUs,
    elu: elu.utilization,
    gcPauseMaxMs: gcMax,
    activeStreams: gateway?.activeStreams ?? 0,
    inFlight: gateway?.inFlight ?? 0,
    pipelineBytes: gateway?.bufferedBytes() ?? 0,
    queuedWriteBytes: gateway ? queued : 0,
    bytesWritten: written,
  };
}

function planCassette(spec: PlanSpec): Cassette {
  return 'synthetic' in spec ? syntheticCassette(spec.synthetic) : loadCassette(spec.cassetteFile);
}

async function handle(message: ToServer): Promise<void> {
  switch (message.type) {
    case 'start-replay': {
      replay = await startReplayUpstream({ maxHangMs: 5_000 });
      for (const spec of message.plans) {
        const cassette = planCassette(spec);
        if ('synthetic' in spec && spec.shape) replay.choose(spec.slot, shapedChooser(spec.synthetic, spec.shape, message.speed));
        else replay.bind(spec.slot, { cassette, chunks: cassette.response.chunks, speed: message.speed });
      }
      send({ type: 'ready', url: replay.url });
      return;
    }
    case 'start-gateway': {
      // harnessGatewayConfig only asks the replay for its per-slot base URLs.
      const addresses = { baseUrl: (slot: string) => `${message.replayUrl}/p/${encodeURIComponent(slot)}` } as Pick<
        ReplayUpstream,
        'baseUrl'
      >;
      gateway = await startGateway(message.config ?? harnessGatewayConfig(addresses as ReplayUpstream, message.mode));
      send({ type: 'ready', url: gateway.url });
      return;
    }
    case 'start-proxy': {
      proxy = await startNullProxy(message.upstreamUrl);
      send({ type: 'ready', url: proxy.url });
      return;
    }
    case 'proxy-stats':
      send({ type: 'proxy-stats', stats: proxy!.takeDelayStats() });
      return;
    case 'cpu': {
      const cpu = process.cpuUsage();
      send({ type: 'cpu-usage', cpuUs: cpu.user + cpu.system });
      return;
    }
    case 'gc': {
      const gc = (globalThis as { gc?: () => void }).gc;
      // Two passes: the first can leave objects that only become garbage after finalisers ran.
      gc?.();
      await new Promise((r) => setImmediate(r));
      gc?.();
      // Let the GC observer see these forced pauses, so this sample (not the next phase's)
      // carries them.
      await new Promise((r) => setTimeout(r, 20));
      send({ type: 'gc-done', sample: sample() });
      return;
    }
    case 'heap-snapshot': {
      // The snapshot holds only what is reachable (V8 collects first); the parent sums its sizes.
      const file = writeHeapSnapshot(join(tmpdir(), `streamproof-server-${process.pid}-${Date.now()}.heapsnapshot`));
      send({ type: 'heap-snapshot-done', file, sample: sample() });
      return;
    }
    case 'close':
      await gateway?.close();
      await replay?.close();
      await proxy?.close();
      process.exit(0);
  }
}

process.on('message', (m: ToServer) => {
  handle(m).catch((err: unknown) => send({ type: 'failed', message: (err as Error).stack ?? String(err) }));
});
// The parent went away: nothing else should keep this process alive.
process.on('disconnect', () => process.exit(0));
setInterval(() => send({ type: 'sample', sample: sample() }), SAMPLE_EVERY_MS);
