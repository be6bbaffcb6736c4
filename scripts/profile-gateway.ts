// The reference gateway alone, for profilers that must start the process themselves (clinic):
// routes every provider to a replay upstream on --replay-port, listens on --port, and exits
// cleanly on SIGINT/SIGTERM so the profiler can write its report.
//   node --import tsx scripts/profile-gateway.ts --replay-port 9400 --port 9401 [--mode normalize]
import { parseArgs } from 'node:util';
import type { ReplayUpstream } from '../src/replay/upstream.ts';
import { startGateway } from '../src/gateway/server.ts';
import { harnessGatewayConfig, type GatewayMode } from '../src/target/target.ts';

const { values } = parseArgs({
  options: { 'replay-port': { type: 'string' }, port: { type: 'string' }, mode: { type: 'string', default: 'normalize' } },
});
const replayPort = Number(values['replay-port']);
const port = Number(values.port);
if (!Number.isInteger(replayPort) || !Number.isInteger(port)) {
  process.stderr.write('usage: profile-gateway.ts --replay-port N --port N [--mode normalize|passthrough]\n');
  process.exit(2);
}
const addresses = { baseUrl: (slot: string) => `http://127.0.0.1:${replayPort}/p/${encodeURIComponent(slot)}` } as Pick<
  ReplayUpstream,
  'baseUrl'
>;
const config = harnessGatewayConfig(addresses as ReplayUpstream, values.mode as GatewayMode);
config.listen.port = port;
const gateway = await startGateway(config);
process.stderr.write(`profile-gateway: reference gateway on ${gateway.url}, upstream 127.0.0.1:${replayPort}\n`);
// Close and let the process end by itself: a profiler's own SIGINT handler (clinic heapprofiler)
// must get to write its data, which process.exit() would cut short.
const stop = async () => {
  await gateway.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
