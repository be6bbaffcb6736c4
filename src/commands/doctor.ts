// `streamproof doctor --target URL`: before a first run against a gateway, find out how it is
// wired. One small streaming request per provider, addressed as the profile says, with the replay
// upstream listening on every provider's slot; then, per provider: did the target call the replay
// upstream (on which slot, which path), what did it answer, and a profile to start from.
import { basename, dirname } from 'node:path';
import type { CliIo } from './io.ts';
import { UsageError } from '../base/errors.ts';
import { findYamlFiles } from '../base/find-yaml.ts';
import { packageFile } from '../base/package-files.ts';
import { loadCassette, type Cassette } from '../cassette/cassette.ts';
import { sendExchange, type Exchange } from '../client/exchange.ts';
import { providerNames } from '../providers/index.ts';
import { startReplayUpstream, type ObservedRequest, type ReplayUpstream } from '../replay/upstream.ts';
import { addressRequest, loadTargetProfile, REFERENCE_PROFILE, type AddressedRequest, type TargetProfile } from '../target/profile.ts';
import { externalTarget } from '../target/target.ts';
import { parseFlags } from './args.ts';
import { loadProjectConfig, targetSettings } from './project-config.ts';

export const USAGE = `usage: streamproof doctor --target URL [--target-profile FILE] [--provider NAME]… [--replay-port N]
                          [--timeout-ms N] [--budget-ms N] [--config FILE]

  sends one small streaming request per provider through the target, addressed as the profile
  says, and prints what it learned: whether the target is reachable, which providers it routes to
  the replay upstream, what it answers for each, and a suggested profile.

  --target URL        the gateway under test
  --target-profile    YAML saying how the target addresses each provider (default: the reference profile)
  --provider NAME     probe only these providers (repeatable; default: every provider)
  --replay-port N     fixed port for the replay upstream (for a target configured with its base URLs)
  --timeout-ms N      bound on each request (default 5000)
  --budget-ms N       bound on all requests together; providers not reached are listed (default 30000)
  --config FILE       project settings (default: ./streamproof.yaml when present); flags win

  exit 0: every probed provider was routed to the replay upstream and answered 2xx; 1: some were
  not; 2: the target is unreachable, or bad input`;

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_BUDGET_MS = 30_000;
/** How long a request the target makes to the upstream may trail the client's answer. */
const UPSTREAM_GRACE_MS = 300;

/** A request the replay upstream received during a probe, and on which slot. */
interface UpstreamCall {
  slot: string;
  method: string;
  path: string;
}

export interface Probe {
  provider: string;
  cassette: Cassette;
  address: AddressedRequest;
  /** null when the time budget ran out before this provider's turn. */
  client: Exchange | null;
  /** Requests on provider slots while this probe ran (a misrouted target calls another slot). */
  calls: UpstreamCall[];
  /** Requests outside any slot with a plan (a base URL without /p/<provider>). */
  stray: UpstreamCall[];
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    target: { type: 'string' },
    'target-profile': { type: 'string' },
    provider: { type: 'string', multiple: true, default: [] },
    'replay-port': { type: 'string' },
    'timeout-ms': { type: 'string', default: String(DEFAULT_TIMEOUT_MS) },
    'budget-ms': { type: 'string', default: String(DEFAULT_BUDGET_MS) },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`doctor takes no arguments, got ${JSON.stringify(positionals[0])}`);
  const config = loadProjectConfig(values.config)?.config ?? null;
  const { replayPort, targetUrl, profileFile } = targetSettings(values, config);
  if (!targetUrl) throw new UsageError('name the gateway to examine with --target URL');
  const timeoutMs = positiveInt(values['timeout-ms'], '--timeout-ms');
  const budgetMs = positiveInt(values['budget-ms'], '--budget-ms');
  const known = providerNames();
  for (const p of values.provider)
    if (!known.includes(p)) throw new UsageError(`--provider: unknown provider ${JSON.stringify(p)} (known: ${known.join(', ')})`);
  const wanted = values.provider.length ? known.filter((p) => values.provider.includes(p)) : known;

  const profile = profileFile ? loadTargetProfile(profileFile) : REFERENCE_PROFILE;
  const target = externalTarget(targetUrl, profile);
  io.stdout(`target: ${target.label} (profile ${profile.name}${profileFile ? `, ${profileFile}` : ', built in'})\n`);
  await target.reachable(); // an UnreachableError: exit 2, before anything else starts
  io.stdout('reachable: yes (a TCP connection was accepted)\n');

  const replay = await startReplayUpstream({ port: replayPort ?? 0 });
  let probes: Probe[];
  try {
    io.stdout(`replay upstream: ${replay.url}\n`);
    if (profile.upstream === 'config')
      io.stdout(
        replayPort
          ? '(profile upstream: config: the target must be configured with base URL <replay upstream>/p/<provider> per provider)\n'
          : '(profile upstream: config, but no --replay-port: the target cannot have been configured with this port; expect nothing to route)\n',
      );
    probes = await probeAll(replay, target.label, profile, wanted, { timeoutMs, budgetMs });
  } finally {
    await replay.close();
  }
  io.stdout(`\n${renderProbes(probes, replay)}\n\n${renderSuggestedProfile(probes, profile, target.label, replay)}`);
  return probes.every(probeOk) ? 0 : 1;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`);
  return n;
}

/** The provider's simplest streaming cassette that succeeds: a plain text answer where there is one. */
export function doctorCassette(provider: string): Cassette {
  const folder = packageFile('fixtures', provider);
  const files = findYamlFiles([folder])
    .filter((f) => dirname(f) === folder)
    .sort((a, b) => Number(!/text/.test(basename(a))) - Number(!/text/.test(basename(b))) || a.localeCompare(b));
  // Loaded one by one until one fits: loading every cassette of every provider takes seconds.
  for (const file of files) {
    const c = loadCassette(file);
    if (c.streaming && c.response.status === 200 && c.expect.status === 200 && !c.response.fault && c.response.end === 'end') return c;
  }
  throw new UsageError(`no plain streaming cassette for provider ${provider} under ${folder}`);
}

async function probeAll(
  replay: ReplayUpstream,
  base: string,
  profile: TargetProfile,
  wanted: readonly string[],
  bounds: { timeoutMs: number; budgetMs: number },
): Promise<Probe[]> {
  // Every slot answers every request with its provider's cassette and notes it, so a target that
  // calls the wrong provider's base URL shows where it went.
  const cassettes = new Map<string, Cassette>();
  const cassetteOf = (p: string) => cassettes.get(p) ?? cassettes.set(p, doctorCassette(p)).get(p)!;
  let calls: UpstreamCall[] = [];
  for (const slot of providerNames()) {
    replay.choose(slot, (req) => {
      calls.push(callOf(slot, req));
      const cassette = cassetteOf(slot);
      return { cassette, chunks: cassette.response.chunks, speed: 0 };
    });
  }
  const deadline = performance.now() + bounds.budgetMs;
  const probes: Probe[] = [];
  // One provider at a time: what reaches the replay upstream belongs to the probe in flight.
  for (const provider of wanted) {
    const cassette = cassetteOf(provider);
    const address = addressRequest(profile, provider, String(cassette.request.body['model']), replay.baseUrl(provider));
    const left = deadline - performance.now();
    if (left <= 0) {
      probes.push({ provider, cassette, address, client: null, calls: [], stray: [] });
      continue;
    }
    calls = [];
    const strayBefore = replay.unexpected.length;
    const client = await sendExchange(
      `${base}${profile.chatPath}`,
      { ...cassette.request.body, model: address.model },
      {
        headers: { ...cassette.request.headers, ...address.headers },
        timeoutMs: Math.min(bounds.timeoutMs, Math.max(1, Math.round(left))),
        maxBodyBytes: 1024 * 1024,
      },
    );
    if (!calls.some((c) => c.slot === provider)) await new Promise((r) => setTimeout(r, UPSTREAM_GRACE_MS));
    const stray = replay.unexpected.slice(strayBefore).map((r) => callOf('', r));
    probes.push({ provider, cassette, address, client, calls, stray });
  }
  return probes;
}

function callOf(slot: string, req: ObservedRequest): UpstreamCall {
  const q = req.query.toString();
  return { slot, method: req.method, path: `${req.path}${q ? `?${q}` : ''}` };
}

function routedCall(p: Probe): UpstreamCall | undefined {
  return p.calls.find((c) => c.slot === p.provider);
}

function probeOk(p: Probe): boolean {
  const call = routedCall(p);
  return !!p.client && !!call && pathOnly(call.path) === p.cassette.upstreamRequest.path && p.client.status >= 200 && p.client.status < 300;
}

function pathOnly(path: string): string {
  return path.replace(/\?.*$/, '');
}

/** The one-line answer: status, content-type and the first bytes. */
function answerLine(client: Exchange): string {
  if (client.status === 0) return `no answer: ${client.error ?? 'the connection closed'}`;
  const type = client.headers['content-type'];
  return `${client.status} ${Array.isArray(type) ? type.join(', ') : (type ?? '(no content-type)')}  ${firstBytes(client.body)}${client.error ? ` [${client.error}]` : ''}`;
}

const FIRST_CHARS = 100;

/** The start of a body on one line: line breaks shown as \n, cut with … when longer. */
function firstBytes(body: Buffer): string {
  if (body.length === 0) return '(empty body)';
  const text = body.subarray(0, FIRST_CHARS * 4).toString('utf8');
  const shown = text.replace(/[\x00-\x1f\x7f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return shown.length > FIRST_CHARS || body.length > FIRST_CHARS * 4 ? `${shown.slice(0, FIRST_CHARS)}…` : shown;
}

/** What the engineer should do about a probe, in a sentence; null when it worked. */
export function diagnosis(p: Probe, replay: Pick<ReplayUpstream, 'baseUrl'>): string | null {
  if (!p.client) return 'not probed: the time budget ran out first (raise --budget-ms or name it with --provider)';
  const expected = p.cassette.upstreamRequest.path;
  const call = routedCall(p);
  if (call) {
    const seen = pathOnly(call.path);
    if (seen !== expected) {
      const fix = expected.endsWith(seen)
        ? `its base URL lacks ${JSON.stringify(expected.slice(0, expected.length - seen.length))}: use ${replay.baseUrl(p.provider)}${expected.slice(0, expected.length - seen.length)}`
        : seen.endsWith(expected)
          ? `its base URL has ${JSON.stringify(seen.slice(0, seen.length - expected.length))} too many: use ${replay.baseUrl(p.provider)}`
          : `the provider's API path is ${expected}: is this route set to the right provider type?`;
      return `routed, but to ${call.method} ${seen}; ${fix}`;
    }
    if (p.client.status < 200 || p.client.status >= 300)
      return `routed (the replay upstream served the cassette), but the target answered ${p.client.status === 0 ? 'nothing' : p.client.status}: it failed to read or translate the stream; \`streamproof run\` on this provider's cassettes shows more`;
    return null;
  }
  const elsewhere = p.calls.filter((c) => c.slot !== p.provider);
  if (elsewhere.length)
    return `the target called another provider's slot (${elsewhere.map((c) => `${c.slot}: ${c.method} ${c.path}`).join('; ')}): the route for this model points at the wrong base URL`;
  if (p.stray.length)
    return `the target called the replay upstream outside any provider slot (${p.stray.map((c) => `${c.method} ${c.path}`).join('; ')}): its base URL must be ${replay.baseUrl(p.provider)}`;
  if (p.client.status === 0)
    return `the target gave no answer and never called the replay upstream (${p.client.error ?? 'connection closed'})`;
  if (p.client.status >= 200 && p.client.status < 300)
    return `the target answered ${p.client.status} without calling the replay upstream: it sends this model elsewhere (is its base URL for ${p.provider} ${replay.baseUrl(p.provider)}?)`;
  return `the target refused it without calling the replay upstream: the model name or headers select no route to ${replay.baseUrl(p.provider)}`;
}

export function renderProbes(probes: readonly Probe[], replay: Pick<ReplayUpstream, 'baseUrl'>): string {
  const width = Math.max(8, ...probes.map((p) => p.provider.length));
  const lines = [`${'provider'.padEnd(width)}  routed  answer`];
  for (const p of probes) {
    const routed = !p.client ? '-' : routedCall(p) ? 'yes' : 'no';
    lines.push(`${p.provider.padEnd(width)}  ${routed.padEnd(6)}  ${p.client ? answerLine(p.client) : 'not probed'}`);
  }
  const ok = probes.filter(probeOk).length;
  lines.push('', `${ok} of ${probes.length} provider(s) routed to the replay upstream and answered 2xx`);
  for (const p of probes) {
    const problem = diagnosis(p, replay);
    if (problem === null) continue;
    const headers = Object.entries(p.address.headers).map(([k, v]) => `${k}: ${v}`);
    lines.push(
      '',
      `${p.provider}: ${problem}`,
      `  sent: model ${JSON.stringify(p.address.model)}${headers.length ? `, headers ${headers.join(', ')}` : ''} (cassette ${p.cassette.name})`,
    );
  }
  return lines.join('\n');
}

/** A profile to start from: the entries that routed as they are; the others commented out, with why. */
export function renderSuggestedProfile(
  probes: readonly Probe[],
  profile: TargetProfile,
  base: string,
  replay: Pick<ReplayUpstream, 'baseUrl'>,
): string {
  const q = (s: string) => JSON.stringify(s);
  const ok = probes.filter(probeOk);
  const lines = [
    `# suggested profile (streamproof doctor against ${base}): ${ok.length} of ${probes.length} provider(s) routed.`,
    '# Providers left commented out did not route: fix their entry (or the target), then run doctor again.',
    '# Cases of providers that do not route fail with "the target never called the replay upstream".',
    `name: ${q(profile.name)}`,
    ...(profile.description ? [`description: ${q(profile.description)}`] : []),
    `chatPath: ${q(profile.chatPath)}`,
    `golden: ${profile.golden}`,
    `upstream: ${profile.upstream}`,
    `masks: ${JSON.stringify(profile.masks)}`,
    'providers:',
  ];
  const entryLines = (key: string, entry: { model: string; headers: Record<string, string> }) => {
    const headers = Object.entries(entry.headers);
    return [
      `  ${q(key)}:`,
      `    model: ${q(entry.model)}`,
      ...(headers.length ? ['    headers:', ...headers.map(([k, v]) => `      ${k}: ${q(v)}`)] : []),
    ];
  };
  if (ok.length === providerNames().length) {
    // Every provider routed: the profile as it is.
    if (profile.upstream === 'config')
      for (const p of ok) lines.push(`  # base URL in the target for ${p.provider}: ${replay.baseUrl(p.provider)}`);
    for (const [key, entry] of Object.entries(profile.providers)) lines.push(...entryLines(key, entry));
    return `${lines.join('\n')}\n`;
  }
  for (const p of probes) {
    const entry = profile.providers[p.provider] ?? profile.providers['*'] ?? { model: '{provider}/{model}', headers: {} };
    const body = entryLines(p.provider, entry);
    if (probeOk(p)) {
      if (profile.upstream === 'config') lines.push(`  # base URL in the target: ${replay.baseUrl(p.provider)}`);
      lines.push(...body);
    } else {
      lines.push(`  # ${p.provider}: ${(diagnosis(p, replay) ?? '').replace(/\n/g, ' ')}`, ...body.map((l) => `  #${l.slice(1)}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
