// The hostile-peer table: every misbehaving peer of test/hostile/peers.ts against the harness
// (`streamproof run --target <peer>`) and against the reference gateway (the peer as its
// upstream), each a child process; prints, per peer, the peak RSS of each and what the user saw.
//
//   node --import tsx scripts/hostile-report.ts [peer…]
//
// The peers run in parallel (as in `npm test`); the figures are the kernel's VmHWM of each child.
import { PEER_NAMES, type PeerName } from '../test/hostile/peers.ts';
import { gatewayAgainst, GATEWAY_TIMEOUTS, harnessAgainst, mb, RSS_CAP_BYTES } from '../test/hostile/run-peer.ts';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(PEER_NAMES as readonly string[]).includes(w));
if (unknown.length > 0) {
  process.stderr.write(`unknown peer(s): ${unknown.join(', ')} (known: ${PEER_NAMES.join(', ')})\n`);
  process.exit(2);
}
const names = (wanted.length > 0 ? wanted : PEER_NAMES) as PeerName[];

const started = performance.now();
const [harness, gateway] = await Promise.all([Promise.all(names.map(harnessAgainst)), Promise.all(names.map(gatewayAgainst))]);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

const rows = [
  '| peer | harness peak RSS | harness exit | the harness said | gateway peak RSS | the gateway answered |',
  '|---|---|---|---|---|---|',
  ...names.map((name, i) => {
    const h = harness[i]!;
    const g = gateway[i]!;
    return `| ${name} | ${mb(h.peakRss)} | ${h.code} | ${cell(h.message)} | ${mb(g.peakRss)} | ${cell(g.message)} |`;
  }),
];
process.stdout.write(`${rows.join('\n')}\n\n`);
process.stdout.write(
  `cap ${mb(RSS_CAP_BYTES)} per process; gateway timeouts ${JSON.stringify(GATEWAY_TIMEOUTS)}; ` +
    `${names.length} peers × 2 in parallel in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
const over = [...harness, ...gateway].filter((o) => o.peakRss >= RSS_CAP_BYTES);
process.exitCode = over.length > 0 ? 1 : 0;
