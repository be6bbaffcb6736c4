// Conformance levels against a third-party-style gateway: a correct passthrough proxy (node:http,
// no translation) passes `protocol` and `semantic` for every OpenAI-compatible cassette; each
// deliberate defect fails with a message that names it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';
import { PROXY_PROFILE, startProxy, type Defect, type RunningProxy } from './proxy.ts';

const OPENAI_COMPATIBLE = ['openai', 'azure', 'xai', 'together', 'together-helicone', 'backendai'];

let dir: string;
let profile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'streamproof-levels-'));
  profile = join(dir, 'proxy-profile.yaml');
  writeFileSync(profile, PROXY_PROFILE);
});

/** A parity scenario over some cassettes: the as-recorded run, plus one seeded random re-chunking when asked. */
function scenario(name: string, fixtures: readonly string[], rechunk: boolean): string {
  const file = join(dir, `${name}.yaml`);
  const globs = fixtures.map((f) => `  - ${relative(dir, join(REPO_ROOT, 'fixtures', f))}`).join('\n');
  writeFileSync(file, `kind: parity\nname: ${name}\nfixtures:\n${globs}\nchunkings:\n  bytewise: false\n  random: ${rechunk ? 1 : 0}\n`);
  return file;
}

async function runAt(proxy: RunningProxy, file: string, level: string, reports: string) {
  return runCli(['run', file, '--target', proxy.url, '--target-profile', profile, '--level', level, '--report-dir', join(dir, reports)]);
}

describe('a correct passthrough proxy', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(() => proxy.close());

  for (const level of ['protocol', 'semantic']) {
    // At protocol, a random re-chunking too: reads the upstream split anywhere reach the client
    // split the same way (the proxy writes each read as it comes), and split writes are fine.
    it(`passes ${level} for every OpenAI-compatible cassette`, { timeout: 60_000 }, async () => {
      const file = scenario(
        `correct-${level}`,
        OPENAI_COMPATIBLE.map((p) => `${p}/*.yaml`),
        level === 'protocol',
      );
      const r = await runAt(proxy, file, level, `correct-${level}`);
      expect(r.code, r.stdout).toBe(0);
      const summary = JSON.parse(readFileSync(join(dir, `correct-${level}`, 'summary.json'), 'utf8'));
      expect(summary.level).toBe(level);
      expect(summary.totals.cases).toBe(23);
      expect(summary.totals.failed).toBe(0);
      // Every check the level runs is named in the report.
      const names = new Set<string>(
        summary.scenarios[0].cases.flatMap((c: { checks: { name: string }[] }) => c.checks.map((ch) => ch.name)),
      );
      expect(names).toContain('protocol.single-terminal');
      expect(names).toContain('protocol.no-buffering');
      expect(names.has('semantic')).toBe(level === 'semantic');
      expect(names.has('golden')).toBe(false);
      // Buffering was judged (not merely skipped) on the streamed cassettes.
      const buffering = summary.scenarios[0].cases.map(
        (c: { checks: { name: string; message?: string }[] }) => c.checks.find((ch) => ch.name === 'protocol.no-buffering')?.message,
      );
      expect(buffering.filter((m: string | undefined) => m === undefined).length).toBeGreaterThanOrEqual(20);
      expect(summary.scorecard.line).toMatch(/^scorecard: (\d+)\/\1 pass, 0 fail, 0 not routed$/);
      expect(r.stdout).toContain(`level: ${level}; scorecard: `);
      const md = readFileSync(join(dir, `correct-${level}`, 'summary.md'), 'utf8');
      expect(md).toContain('## Scorecard');
      expect(md).toContain(`## Checks run at level \`${level}\``);
      expect(readFileSync(join(dir, `correct-${level}`, 'junit.xml'), 'utf8')).toContain(`<property name="level" value="${level}"/>`);
      // The proxy forwards the client's body as it is: the reference's exact body is a note, never a failure.
      process.stdout.write(
        `correct proxy at ${level}: ${r.stdout
          .split('\n')
          .filter((l) => /cases:|scorecard/.test(l))
          .join(' | ')}\n`,
      );
    });
  }
});

const DEFECTS: { defect: Defect; fixtures: string[]; check: string; message: RegExp }[] = [
  {
    defect: 'dropped-usage',
    fixtures: ['openai/text-usage.yaml'],
    check: 'protocol.usage',
    message: /usage dropped: the request set stream_options\.include_usage/,
  },
  {
    defect: 'split-terminal',
    fixtures: ['openai/text-usage.yaml'],
    check: 'protocol.single-terminal',
    message: /split terminal: 2 terminals \(\[DONE\] at event \d+, \[DONE\] at event \d+\)/,
  },
  {
    defect: 'done-after-error',
    fixtures: ['openai/mid-stream-error.yaml'],
    check: 'protocol.single-terminal',
    message: /\[DONE\] after an error: event \d+ is \[DONE\] after the error event \d+/,
  },
  {
    defect: 'buffering',
    fixtures: ['openai/text-usage.yaml'],
    check: 'protocol.no-buffering',
    message: /buffering: the first content event reached the client [\d.]+ ms after the upstream's last write/,
  },
  {
    defect: 'non-json-payload',
    fixtures: ['openai/text-usage.yaml'],
    check: 'protocol.chunk-shape',
    message: /event 0: data is not JSON: "\{\\"choices\\": \[ keep-alive"/,
  },
  {
    defect: 'duplicated-tool-call-id',
    fixtures: ['openai/parallel-tool-calls.yaml'],
    check: 'protocol.tool-calls-once',
    message: /duplicated tool-call id "call_Ld8yiA8IBTEHEiR4yaIj4opc", already used by tool call 0/,
  },
];

describe('a proxy with a deliberate defect fails at protocol, naming it', () => {
  for (const { defect, fixtures, check, message } of DEFECTS) {
    it(defect, async () => {
      const proxy = await startProxy(defect);
      try {
        const r = await runAt(proxy, scenario(`defect-${defect}`, fixtures, false), 'protocol', `defect-${defect}`);
        expect(r.code, r.stdout).toBe(1);
        const line = r.stdout.split('\n').find((l) => l.includes(`${check}: `));
        expect(line, r.stdout).toMatch(message);
        expect(r.stdout).toMatch(/scorecard: \d+\/\d+ pass, [1-9]\d* fail, 0 not routed/);
        process.stdout.write(`defect ${defect}: ${line!.trim()}\n`);
      } finally {
        await proxy.close();
      }
    });
  }
});

describe('scorecard and own goldens', () => {
  it('a target that never calls the upstream scores "not routed", not "fail"', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'no route for this model', type: 'invalid_request_error' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const r = await runAt(
        { url, close: async () => undefined },
        scenario('unrouted', ['openai/parallel-tool-calls.yaml'], false),
        'protocol',
        'unrouted',
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('the target never called the replay upstream');
      const card = JSON.parse(readFileSync(join(dir, 'unrouted', 'summary.json'), 'utf8')).scorecard;
      expect(card.rows.openai).toEqual({ 'tool calls': 'not routed', 'parallel tool calls': 'not routed', usage: 'not routed' });
      expect(card.line).toBe('scorecard: 0/3 pass, 0 fail, 3 not routed');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("--update-goldens --target records the target's own goldens where the profile says; exact then gates on them", async () => {
    const own = join(dir, 'own-profile.yaml');
    writeFileSync(own, `${PROXY_PROFILE}goldens: ./proxy-goldens\n`);
    const file = scenario('own-goldens', ['openai/text-usage.yaml', 'xai/tool-call.yaml'], false);
    const proxy = await startProxy();
    const broken = await startProxy('split-terminal');
    try {
      const args = (url: string, reports: string) => [
        'run',
        file,
        '--target',
        url,
        '--target-profile',
        own,
        '--report-dir',
        join(dir, reports),
      ];
      const update = await runCli([...args(proxy.url, 'own-update'), '--update-goldens']);
      expect(update.code, update.stdout).toBe(0);
      expect(update.stderr).toContain(
        `golden written: ${relative(process.cwd(), join(dir, 'proxy-goldens', 'openai', 'text-usage.passthrough.sse'))}`,
      );
      expect(existsSync(join(dir, 'proxy-goldens', 'xai', 'tool-call.passthrough.sse'))).toBe(true);
      const exact = await runCli([...args(proxy.url, 'own-exact'), '--level', 'exact']);
      expect(exact.code, exact.stdout).toBe(0);
      expect(exact.stdout).toContain('level: exact');
      const differs = await runCli([...args(broken.url, 'own-broken'), '--level', 'exact']);
      expect(differs.code).toBe(1);
      expect(differs.stdout).toMatch(/golden: output differs from golden at byte \d+/);
    } finally {
      await proxy.close();
      await broken.close();
    }
  });

  it('--update-goldens --target without a goldens directory in the profile is refused', async () => {
    const r = await runCli([
      'run',
      scenario('no-dir', ['openai/text-usage.yaml'], false),
      '--target',
      'http://127.0.0.1:9',
      '--target-profile',
      profile,
      '--update-goldens',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--update-goldens with --target writes the target's own goldens into the directory its profile names");
  });
});
