// Profiles the reference gateway (or the load driver) while a load scenario runs.
//
//   node --import tsx scripts/profile.ts <tool> [scenario.yaml] [--out DIR]
//
//   cpu-prof        the gateway process under `node --cpu-prof` (a .cpuprofile for Chrome DevTools)
//   heap-prof       the gateway process under `node --heap-prof` (a .heapprofile)
//   driver-cpu-prof the load driver under `node --cpu-prof` (is the driver the bottleneck?)
//   clinic-flame    the gateway under `npx --yes clinic flame` (flame graph HTML)
//   clinic-heap     the gateway under `npx --yes clinic heapprofiler` (allocation flame graph HTML)
//
// cpu-prof and heap-prof run the scenario as `streamproof run` does (gateway in its own process,
// flags passed through STREAMPROOF_GATEWAY_NODE_ARGS). clinic must start the process it profiles,
// so the clinic tools start scripts/profile-gateway.ts under clinic and run the scenario against
// it with --target and --replay-port; Ctrl-C-like SIGINT then lets clinic write its report.
// clinic is not a dependency (it is unmaintained): npx fetches it on first use.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const TOOLS = ['cpu-prof', 'heap-prof', 'driver-cpu-prof', 'clinic-flame', 'clinic-heap'] as const;
type Tool = (typeof TOOLS)[number];

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
const tool = positionals[0] as Tool | undefined;
if (!tool || !TOOLS.includes(tool)) {
  process.stderr.write(`usage: node --import tsx scripts/profile.ts <${TOOLS.join('|')}> [scenario.yaml] [--out DIR]\n`);
  process.exit(2);
}
const scenario = positionals[1] ?? 'scenarios/bench/throughput.yaml';
const out = resolve(values.out ?? join('reports', 'profiles', `${tool}-${Date.now()}`));
mkdirSync(out, { recursive: true });
const cli = ['bin/streamproof.js', 'run', scenario, '--report-dir', join(out, 'report')];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.once('exit', (code) => done(code ?? 1));
  });
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the profiled gateway exited (code ${child.exitCode}) before it was ready`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the profiled gateway did not answer ${url}/healthz within ${limitMs / 1000} s`);
}

async function underClinic(kind: 'flame' | 'heapprofiler'): Promise<number> {
  const [replayPort, port] = [await freePort(), await freePort()];
  const gatewayArgs = ['--import', 'tsx', 'scripts/profile-gateway.ts', '--replay-port', String(replayPort), '--port', String(port)];
  // Its own process group, so SIGINT reaches clinic and the profiled node as Ctrl-C would.
  // NO_INSIGHT: clinic otherwise asks (on a terminal) to send usage statistics, and quietly exits without one.
  const clinic = spawn('npx', ['--yes', 'clinic', kind, '--open=false', '--dest', out, '--', 'node', ...gatewayArgs], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, NO_INSIGHT: '1' },
  });
  const exited = new Promise<number>((done) => clinic.once('exit', (code) => done(code ?? 1)));
  const target = `http://127.0.0.1:${port}`;
  let code = 1;
  try {
    await waitForHealth(target, clinic, 180_000); // the first npx run downloads clinic
    code = await run(process.execPath, [...cli, '--target', target, '--replay-port', String(replayPort)]);
  } finally {
    if (clinic.pid !== undefined && clinic.exitCode === null) process.kill(-clinic.pid, 'SIGINT');
    const clinicCode = await Promise.race([exited, sleep(600_000).then(() => -1)]);
    if (clinicCode === -1 && clinic.pid !== undefined) process.kill(-clinic.pid, 'SIGKILL');
  }
  return code;
}

let code: number;
switch (tool) {
  case 'cpu-prof':
  case 'heap-prof':
    code = await run(process.execPath, cli, { ...process.env, STREAMPROOF_GATEWAY_NODE_ARGS: `--${tool} --${tool}-dir=${out}` });
    break;
  case 'driver-cpu-prof':
    code = await run(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${out}`, ...cli]);
    break;
  case 'clinic-flame':
    code = await underClinic('flame');
    break;
  case 'clinic-heap':
    code = await underClinic('heapprofiler');
    break;
}
process.stderr.write(`profile: ${tool} output in ${out} (scenario exit code ${code})\n`);
process.exit(code);
