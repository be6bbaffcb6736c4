// The round-trip proof. Every shipped cassette, in every provider dialect, is played by the replay
// upstream at speed 1 (as recorded: reads and gaps) into `streamproof record`'s proxy, from a
// client that sends the provider's native request; the recording must have byte-identical chunks
// with the same boundaries, time offsets within TIME_TOLERANCE_MS of when the replay wrote each
// read, the same expect (ids the gateway invents excepted: they derive from the request's bytes,
// see below) and a request that maps back exactly. Then the recorder sits between the reference gateway and the replay upstream
// (the gateway's upstream side), and the recordings replay through `streamproof run`.
//
// None of the shipped cassettes carries an injected fault, a reset or a hang (those are
// exercised by record.test.ts with replay faults, and they need a timeout to record).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenPath, loadCassette, type Cassette } from '../../src/cassette/cassette.ts';
import { sendExchange } from '../../src/client/exchange.ts';
import { startGateway } from '../../src/gateway/server.ts';
import { getProvider } from '../../src/providers/index.ts';
import { buildCassette, type RecordedExchange } from '../../src/record/cassette.ts';
import { startRecorder } from '../../src/record/proxy.ts';
import { CassetteStore } from '../../src/record/store.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from './helpers.ts';

/**
 * Each recorded offset against the time the replay upstream actually wrote that read (from its
 * flushed headers, the recorder's origin too). Not against the cassette's own offsets: the replay,
 * the recorders and the client share this process's event loop, and while the other test worker
 * burns the second core the replay's timers fire late (204–261 ms observed in a full `npm test`),
 * which says nothing about the recorder. What is left is loopback delivery within one process, and
 * that process can be starved too: 320 ms between a write and its read was seen with three test
 * workers and a spinning process on two cores. A recorder that mis-stamps was 954–4870 ms off when
 * broken on purpose, so 500 ms still tells the two apart.
 */
const TIME_TOLERANCE_MS = 500;

const DIALECTS: Record<string, readonly string[]> = {
  'OpenAI-compatible': ['openai', 'azure', 'xai', 'together', 'together-helicone', 'backendai'],
  'Anthropic Messages': ['anthropic', 'vertex-anthropic'],
  Gemini: ['gemini', 'vertex-gemini'],
  'Bedrock event stream': ['bedrock', 'bedrock-invoke'],
  'OpenAI Responses': ['openai-responses'],
  'Straico JSON': ['straico'],
};

/** Ids the reference gateway invents (the provider sent none): a digest of the request bytes. */
const INVENTED_ID = /^(call_|chatcmpl-)[0-9a-f]{24}(-\d+)?$/;

const shipped = globSync('fixtures/**/*.yaml', { cwd: REPO_ROOT, absolute: true }).sort().map(loadCassette);
/** Route options a cassette needs beyond the harness's (the prompt endpoint is a route option). */
const routeOptions = (c: Cassette): Record<string, string> => (c.file.includes('/prompt-endpoint/') ? { endpoint: 'prompt' } : {});

interface Recorded {
  original: Cassette;
  exchange: RecordedExchange;
  /** When the replay upstream wrote each read, in ms from its flushed headers. */
  written: number[];
  text: string;
  recorded: Cassette;
}

let replay: ReplayUpstream;
const out = tempDir('round-trip');
const results: Recorded[] = [];

beforeAll(async () => {
  replay = await startReplayUpstream();
  // Every cassette at once, each on its own slot and its own recorder, at speed 1.
  const played = await Promise.all(shipped.map((c, i) => recordThroughProxy(c, `rt${i}`)));
  // Cassettes are built once every stream is over, so building never delays a read being timed.
  const store = new CassetteStore(join(out, 'fixtures'), { force: false });
  for (const [i, c] of shipped.entries()) {
    const { exchange, written } = played[i]!;
    const built = await buildCassette(exchange, { provider: getProvider(c.provider)!, redact: [], env: {} });
    if (!built.ok) throw new Error(`${c.name}: ${built.problem}`);
    const file = store.write(c.provider, built.exercises, built.text);
    results.push({ original: c, exchange, written, text: built.text, recorded: loadCassette(file) });
  }
}, 60_000);

afterAll(async () => {
  await replay.close();
});

/** A client speaking the provider's own dialect to the recorder, which forwards to the replay upstream. */
async function recordThroughProxy(c: Cassette, slot: string): Promise<{ exchange: RecordedExchange; written: number[] }> {
  const upstream = replay.arm(slot, { cassette: c, chunks: c.response.chunks, speed: 1, stampWrites: true });
  const provider = getProvider(c.provider)!;
  let recorded: RecordedExchange | null = null;
  const recorder = await startRecorder({
    upstream: new URL(replay.baseUrl(slot)),
    onExchange: async (e) => void (recorded = e),
    onSkipped: (what, why) => {
      throw new Error(`${c.name}: ${what}: ${why}`);
    },
  });
  try {
    const route = {
      baseUrl: recorder.url,
      apiKey: `sk-streamproof-${c.provider}`,
      headers: {},
      options: { ...provider.harnessOptions, ...routeOptions(c) },
    };
    // As the gateway asks: a provider that is not OpenAI-shaped is always read as a stream.
    const body = provider.supportsPassthrough ? c.request.body : { ...c.request.body, stream: true };
    const up = await provider.buildRequest(body as never, route);
    const query = new URLSearchParams(up.query).toString();
    const res = await request(`${recorder.url}${up.path}${query ? `?${query}` : ''}`, {
      method: 'POST',
      headers: up.headers,
      body: up.body,
    });
    await res.body.arrayBuffer();
    await recorder.settled();
  } finally {
    await recorder.close();
  }
  if (!recorded) throw new Error(`${c.name}: nothing recorded`);
  const served = await upstream;
  const written = (served.writeAts ?? []).map((t) => t - served.headersAt!);
  return { exchange: recorded, written };
}

function sameExpect(recorded: Cassette, original: Cassette): void {
  const got = recorded.expect;
  const want = original.expect;
  expect(got.reviewed).toBe(false);
  expect(got.status).toBe(want.status);
  expect(got.text).toBe(want.text);
  expect(got.refusal ?? '').toBe(want.refusal ?? '');
  expect(got.reasoning ?? '').toBe(want.reasoning ?? '');
  expect(got.toolCalls.map((t) => [t.name, t.arguments])).toEqual(want.toolCalls.map((t) => [t.name, t.arguments]));
  got.toolCalls.forEach((t, i) => {
    const id = want.toolCalls[i]!.id;
    if (INVENTED_ID.test(id)) expect(t.id).toMatch(INVENTED_ID);
    else expect(t.id).toBe(id);
  });
  if (want.usage) expect(got.usage).toEqual(want.usage);
  expect(got.finishReason).toBe(want.finishReason);
  expect(got.rawFinishReason).toBe(want.rawFinishReason);
  if (want.error?.message !== undefined) expect(got.error?.message).toBe(want.error.message);
  expect(got.error === undefined).toBe(want.error === undefined);
}

describe('round trip: replay upstream → streamproof record', () => {
  it('covers every shipped cassette of every registered dialect', () => {
    expect(results).toHaveLength(shipped.length);
    expect(new Set(results.map((r) => r.original.provider))).toEqual(new Set(Object.values(DIALECTS).flat()));
  });

  for (const [dialect, providers] of Object.entries(DIALECTS)) {
    it(`${dialect}: identical chunks and boundaries, offsets within ${TIME_TOLERANCE_MS} ms of the writes, the same expect and request`, async () => {
      const group = results.filter((r) => providers.includes(r.original.provider));
      expect(group.length).toBeGreaterThan(0);
      let maxDeviation = 0;
      let maxLateness = 0; // the replay's own, against the cassette: reported, not judged here
      for (const { original, recorded, written } of group) {
        const want = original.response.chunks;
        const got = recorded.response.chunks;
        expect(
          got.map((c) => c.bytes),
          original.name,
        ).toEqual(want.map((c) => c.bytes));
        expect(written, original.name).toHaveLength(want.length);
        for (let i = 0; i < want.length; i++) {
          maxDeviation = Math.max(maxDeviation, Math.abs(got[i]!.at - written[i]!));
          maxLateness = Math.max(maxLateness, written[i]! - want[i]!.at);
        }
        expect(recorded.response.status).toBe(original.response.status);
        expect(recorded.response.end).toBe('end');
        expect(recorded.response.headers).toEqual(original.response.headers);
        sameExpect(recorded, original);
        // The request: the same upstream facts, and an OpenAI request that translates back to them.
        expect(recorded.upstreamRequest.path).toBe(original.upstreamRequest.path);
        expect(recorded.upstreamRequest.query).toEqual(original.upstreamRequest.query);
        expect(recorded.upstreamRequest.bodyMatch).toBe('exact');
        const provider = getProvider(original.provider)!;
        const route = {
          baseUrl: 'http://127.0.0.1',
          apiKey: 'k',
          headers: {},
          options: { ...provider.harnessOptions, ...routeOptions(original) },
        };
        const again = await provider.buildRequest(
          (provider.supportsPassthrough ? recorded.request.body : { ...recorded.request.body, stream: true }) as never,
          route,
        );
        expect(JSON.parse(again.body), original.name).toEqual(recorded.upstreamRequest.body);
        if (original.upstreamRequest.body !== undefined && original.upstreamRequest.bodyMatch === 'exact')
          expect(recorded.upstreamRequest.body).toEqual(original.upstreamRequest.body);
        for (const name of original.upstreamRequest.headers.present) expect(recorded.upstreamRequest.headers.present).toContain(name);
      }
      expect(maxDeviation).toBeLessThanOrEqual(TIME_TOLERANCE_MS);
      console.info(
        `round trip ${dialect}: ${group.length} cassettes, ${group.reduce((n, r) => n + r.original.response.chunks.length, 0)} reads, max time-offset deviation ${maxDeviation.toFixed(1)} ms from the replay's writes (which ran up to ${maxLateness.toFixed(1)} ms behind the cassette)`,
      );
    });
  }

  it('replays the recordings through `streamproof run` like any other cassette: goldens written, then every check holds', async () => {
    const fixtures = join(out, 'fixtures');
    const scenarios = join(out, 'scenarios');
    mkdirSync(scenarios, { recursive: true });
    const passthrough = DIALECTS['OpenAI-compatible']!;
    const others = Object.values(DIALECTS)
      .flat()
      .filter((p) => !passthrough.includes(p));
    const scenario = (name: string, providers: readonly string[], modes: string) =>
      `kind: parity\nname: ${name}\nfixtures:\n${providers.map((p) => `  - ../fixtures/${p}/*.yaml\n`).join('')}modes: ${modes}\nchunkings: {bytewise: false, random: 0}\n`;
    // The Straico prompt-endpoint cassette needs a route option a parity scenario cannot set (as the shipped one).
    const promptEndpoint = results.find((r) => r.original.file.includes('/prompt-endpoint/'))!;
    const recordedPrompt = readdirSync(join(fixtures, 'straico')).find((f) =>
      readFileSync(join(fixtures, 'straico', f), 'utf8').includes('path: /v1/prompt/completion'),
    )!;
    expect(promptEndpoint).toBeDefined();
    mkdirSync(join(out, 'aside'), { recursive: true });
    writeFileSync(join(out, 'aside', recordedPrompt), readFileSync(join(fixtures, 'straico', recordedPrompt)));
    rmSync(join(fixtures, 'straico', recordedPrompt));

    writeFileSync(
      join(scenarios, 'openai-compatible.yaml'),
      scenario('recorded openai-compatible', passthrough, '[normalize, passthrough]'),
    );
    writeFileSync(join(scenarios, 'native.yaml'), scenario('recorded native dialects', others, '[normalize]'));

    const strict = await runCli(['run', scenarios, '--require-reviewed', '--report-dir', join(out, 'reports-strict')]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/error: .*fixtures\/anthropic\/[a-z-]+\.yaml:\d+: expect is not reviewed \(reviewed: false\)/);
    expect(strict.stderr).toContain(`--require-reviewed: ${shipped.length - 1} cassette(s) with an unreviewed expect; nothing was run`);

    const update = await runCli(['run', scenarios, '--update-goldens', '--report-dir', join(out, 'reports-update')]);
    expect(update.code, update.stdout).toBe(0);
    const check = await runCli(['run', scenarios, '--report-dir', join(out, 'reports')]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stderr).toMatch(/^warning: .*: expect is not reviewed/m);
    expect(check.stdout).toContain(
      `warning: ${shipped.length - 1} cassette(s) with an unreviewed expect (listed above); --require-reviewed fails on them`,
    );
    const summary = JSON.parse(readFileSync(join(out, 'reports', 'summary.json'), 'utf8')) as { totals: { cases: number; failed: number } };
    expect(summary.totals).toMatchObject({
      cases: shipped.length - 1 + results.filter((r) => passthrough.includes(r.original.provider)).length,
      failed: 0,
    });
    // Every recording got its goldens, and for the OpenAI-shaped ones the passthrough golden is the recorded body itself.
    for (const r of results) {
      if (r === promptEndpoint) continue;
      if (!passthrough.includes(r.original.provider) || !r.original.streaming) continue;
      const recordedFile = globSync(`${r.original.provider}/*.yaml`, { cwd: fixtures, absolute: true })
        .map(loadCassette)
        .find(
          (c) =>
            c.response.chunks.length === r.original.response.chunks.length &&
            c.response.chunks.every((ch, i) => ch.bytes.equals(r.original.response.chunks[i]!.bytes)),
        )!;
      expect(readFileSync(goldenPath(recordedFile, 'passthrough'))).toEqual(readFileSync(goldenPath(r.original, 'passthrough')));
    }
  }, 60_000);
});

describe('round trip: reference gateway → streamproof record → replay upstream', () => {
  const picks = [
    'openai/parallel-tool-calls',
    'anthropic/tool-results',
    'gemini/parallel-function-calls',
    'bedrock/tool-use',
    'straico/tool-call-xml',
  ];

  it("records the gateway's upstream side: the native requests it sends and the streams it reads, without changing its output", async () => {
    const store = new CassetteStore(join(out, 'gateway-side'), { force: false });
    for (const name of picks) {
      const c = shipped.find((s) => s.name === name)!;
      const provider = getProvider(c.provider)!;
      let recorded: RecordedExchange | null = null;
      const recorder = await startRecorder({
        upstream: new URL(replay.baseUrl(c.provider)),
        onExchange: async (e) => void (recorded = e),
        onSkipped: (what, why) => {
          throw new Error(`${name}: ${what}: ${why}`);
        },
      });
      const config = harnessGatewayConfig(replay, 'normalize');
      for (const route of config.routes) if (route.provider === c.provider) route.baseUrl = recorder.url;
      const gateway = await startGateway(config);
      try {
        const upstream = replay.arm(c.provider, { cassette: c, chunks: c.response.chunks, speed: 0 });
        const client = await sendExchange(`${gateway.url}/v1/chat/completions`, {
          ...c.request.body,
          model: `${c.provider}/${String(c.request.body['model'])}`,
        });
        await upstream;
        await recorder.settled();
        // The recorder in between changes nothing the client sees: the reviewed golden holds.
        expect(client.body.toString(), name).toBe(readFileSync(goldenPath(c, 'normalize'), 'utf8'));
      } finally {
        await gateway.close();
        await recorder.close();
      }
      const exchange = recorded as RecordedExchange | null;
      if (!exchange) throw new Error(`${name}: nothing recorded`);
      const built = await buildCassette(exchange, { provider, redact: [], env: {} });
      if (!built.ok) throw new Error(built.problem);
      const cassette = loadCassette(store.write(c.provider, built.exercises, built.text));
      expect(cassette.response.chunks.map((ch) => ch.bytes)).toEqual(c.response.chunks.map((ch) => ch.bytes));
      expect(cassette.upstreamRequest.body).toEqual(c.upstreamRequest.body);
      expect(cassette.upstreamRequest.path).toBe(c.upstreamRequest.path);
      for (const header of c.upstreamRequest.headers.present) expect(cassette.upstreamRequest.headers.present, name).toContain(header);
      sameExpect(cassette, c);
      // The harness key the gateway sent upstream never reaches the cassette.
      expect(built.text).not.toContain(`sk-streamproof-${c.provider}`);
    }
  });
});
