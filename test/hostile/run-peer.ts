// One hostile peer against (a) the harness, as `streamproof run --target <peer>`, and (b) the
// reference gateway, as `streamproof gateway` with the peer as its upstream and one client
// request through it. Both are child processes, so their peak memory is theirs alone. Shared by
// the tests (test/hostile/*.test.ts) and the table in scripts/hostile-report.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { spawnCli } from './child.ts';
import { startPeer, type PeerName } from './peers.ts';

/** The stated memory cap for either process, whatever the peer does. */
export const RSS_CAP_BYTES = 300 * 1024 * 1024;

/** The harness's credential for the target (a target profile header) and the gateway's for its upstream. */
export const TARGET_SECRET = 'sk-hostile-target-4f9c2a7e1b';
export const UPSTREAM_SECRET = 'sk-hostile-upstream-8d3e6b0a52';

/**
 * Gateway time limits for these runs (the defaults wait minutes for a first byte, as LLMs may
 * need), long enough that a loaded machine does not trip them where no timeout is expected.
 */
export const GATEWAY_TIMEOUTS = { connectMs: 5_000, firstByteMs: 10_000, idleMs: 10_000, totalMs: 15_000 };

export interface HarnessOutcome {
  peer: PeerName;
  code: number | string;
  peakRss: number;
  stdout: string;
  stderr: string;
  reportDir: string;
  /** Every file the run wrote under its report directory, path → text. */
  reports: Map<string, string>;
  summary: {
    totals: { failed: number; cases: number };
    scenarios: { cases: { status: string; durationMs: number; checks: CheckLike[] }[] }[];
  } | null;
  /** The first failed check's message: what the user saw. */
  message: string;
}

interface CheckLike {
  name: string;
  ok: boolean;
  message?: string;
}

export async function harnessAgainst(name: PeerName): Promise<HarnessOutcome> {
  const peer = await startPeer(name);
  try {
    const dir = mkdtempSync(join(tmpdir(), `streamproof-hostile-${name}-`));
    const scenario = join(dir, 'one.yaml');
    writeFileSync(scenario, `kind: parity\nname: one\nfixtures: [${join(REPO_ROOT, 'fixtures/openai/text-usage.yaml')}]\n`);
    const profile = join(dir, 'profile.yaml');
    writeFileSync(
      profile,
      [
        'name: hostile',
        'providers:',
        '  "*":',
        '    model: "{provider}/{model}"',
        '    headers:',
        `      authorization: Bearer ${TARGET_SECRET}`,
        '',
      ].join('\n'),
    );
    const reportDir = join(dir, 'reports');
    const child = spawnCli(['run', scenario, '--target', peer.url, '--target-profile', profile, '--report-dir', reportDir], {
      deadlineMs: 180_000,
      cwd: dir,
    });
    const code = await child.exited;
    const reports = readTree(reportDir);
    const summaryText = reports.get('summary.json');
    const summary = summaryText ? (JSON.parse(summaryText) as HarnessOutcome['summary']) : null;
    const failed = summary?.scenarios.flatMap((s) => s.cases.flatMap((c) => c.checks.filter((ch) => !ch.ok))) ?? [];
    // The check that says what the target did wrong comes first; "never called the upstream" follows from it.
    const rank = (name: string) => ['harness', 'status', 'semantic'].indexOf(name) >>> 0; // others after, in order
    failed.sort((a, b) => rank(a.name) - rank(b.name) || Number(a.name === 'request') - Number(b.name === 'request'));
    return {
      peer: name,
      code,
      peakRss: child.peakRss(),
      stdout: child.stdout(),
      stderr: child.stderr(),
      reportDir,
      reports,
      summary,
      message: failed[0] ? `${failed[0].name}: ${failed[0].message ?? ''}` : `(no failed check; stderr: ${child.stderr().trim()})`,
    };
  } finally {
    await peer.close();
  }
}

export interface GatewayOutcome {
  peer: PeerName;
  peakRss: number;
  /** What the client got: status 0 when no answer came. */
  status: number;
  /** The first 64 KB and the last two reads of the answer, and its size. */
  head: string;
  tail: string;
  bytes: number;
  clientError: string | null;
  stdout: string;
  stderr: string;
  exit: number | string;
  /** The error message the client was given (status body or error event), or the client's own error. */
  message: string;
}

const KEEP = 64 * 1024;

export async function gatewayAgainst(name: PeerName): Promise<GatewayOutcome> {
  const peer = await startPeer(name);
  const dir = mkdtempSync(join(tmpdir(), `streamproof-hostile-gw-${name}-`));
  const config = join(dir, 'gateway.yaml');
  const t = GATEWAY_TIMEOUTS;
  writeFileSync(
    config,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      `timeouts: { connectMs: ${t.connectMs}, firstByteMs: ${t.firstByteMs}, idleMs: ${t.idleMs}, totalMs: ${t.totalMs} }`,
      'routes:',
      '  - match: openai/*',
      '    provider: openai',
      '    baseUrl: ${HOSTILE_PEER_URL}',
      '    apiKey: ${HOSTILE_UPSTREAM_KEY}',
      '',
    ].join('\n'),
  );
  const child = spawnCli(['gateway', '--config', config, '--log'], {
    deadlineMs: 180_000,
    cwd: dir,
    env: { HOSTILE_PEER_URL: peer.url, HOSTILE_UPSTREAM_KEY: UPSTREAM_SECRET },
  });
  try {
    const url = (await child.waitFor(/reference gateway on (http:\/\/\S+)/, 150_000))[1]!;
    const answer = await clientRequest(`${url}/v1/chat/completions`);
    const exit = await child.stop(); // its request log line may come just after the answer
    return { peer: name, ...answer, peakRss: child.peakRss(), stdout: child.stdout(), stderr: child.stderr(), exit };
  } finally {
    await child.stop();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One streaming chat request, keeping the start and the end of the answer; 60 s at most. */
async function clientRequest(url: string) {
  let status = 0;
  let bytes = 0;
  let head: Buffer = Buffer.alloc(0);
  let tail: Buffer = Buffer.alloc(0);
  let last: Buffer = Buffer.alloc(0);
  let clientError: string | null = null;
  const signal = AbortSignal.timeout(60_000);
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-5-nano', messages: [{ role: 'user', content: 'hi' }], stream: true }),
      signal,
    });
    status = res.statusCode;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (head.length < KEEP) head = Buffer.concat([head, chunk.subarray(0, KEEP - head.length)]);
      // The last two reads (cheap at hundreds of MB a second): the terminal error event is in them.
      tail = Buffer.concat([last, chunk]);
      last = chunk;
    }
  } catch (err) {
    clientError = (err as Error).message;
  }
  const headText = head.toString('utf8');
  const tailText = tail.toString('utf8');
  return { status, bytes, head: headText, tail: tailText, clientError, message: errorMessage(status, headText, tailText, clientError) };
}

/** The `error.message` of a JSON error body or of the last error event, else a description. */
function errorMessage(status: number, head: string, tail: string, clientError: string | null): string {
  const fromJson = (text: string): string | null => {
    try {
      const m = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
      return typeof m === 'string' ? m : null;
    } catch {
      return null;
    }
  };
  const whole = fromJson(head);
  if (whole !== null) return `HTTP ${status}: ${whole}`;
  const events = tail.split('\n').filter((l) => l.startsWith('data: {"error"'));
  const last = events.at(-1);
  if (last) return `HTTP ${status}, then error event: ${fromJson(last.slice('data: '.length)) ?? last}`;
  return `HTTP ${status}${clientError ? `, client: ${clientError}` : ', no error message'}`;
}

function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return files;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isFile()) files.set(name, readFileSync(path, 'utf8'));
  }
  return files;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
