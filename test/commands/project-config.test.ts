// streamproof.yaml: validated with file:line, paths relative to the file, flags winning over keys,
// read from the working directory by `run`, and its thresholds gating benchmark cases.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConfigThresholds, loadProjectConfig, selectScenarios } from '../../src/commands/project-config.ts';
import type { CaseResult, RunSummary } from '../../src/checks/result.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import type { ReplayUpstream } from '../../src/replay/upstream.ts';
import { suiteFiles } from '../../src/scenario/suites.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** One cassette, as recorded only: the smallest real parity run. */
const TINY_SCENARIO = `kind: parity
name: tiny
description: one OpenAI cassette as recorded
fixtures: [${join(REPO_ROOT, 'fixtures', 'openai', 'text-usage.yaml')}]
modes: [normalize]
chunkings: { bytewise: false, random: 0 }
`;

describe('loading streamproof.yaml', () => {
  it('resolves paths against the file and keeps the rest', () => {
    const dir = project({
      'streamproof.yaml':
        'target: http://127.0.0.1:4000\ntargetProfile: p.yaml\nsuites: [conformance]\nscenarios: [mine.yaml]\nreplayPort: 9400\n',
      'p.yaml': 'name: x\n',
      'mine.yaml': TINY_SCENARIO,
    });
    const loaded = loadProjectConfig(join(dir, 'streamproof.yaml'));
    expect(loaded?.config).toEqual({
      target: 'http://127.0.0.1:4000',
      targetProfile: join(dir, 'p.yaml'),
      suites: ['conformance'],
      scenarios: [join(dir, 'mine.yaml')],
      replayPort: 9400,
      thresholds: {},
    });
  });

  it.each([
    ['an unknown key', 'suites: [conformance]\ntargte: http://x\n', ':2: Unrecognized key: "targte"'],
    ['an unknown suite', 'suites:\n  - conformance\n  - fault\n', ':3: suites[1]: Invalid option'],
    ['a target that is no URL', 'target: localhost:4000\n', ':1: target: must be an http(s) URL'],
    ['a malformed threshold', 'thresholds:\n  errors: "zero"\n', ':2: thresholds.errors: threshold errors: "zero" is not "<op> <number>"'],
    ['a threshold nothing measures', 'thresholds:\n  latency: "< 5"\n', ':2: thresholds.latency: no benchmark measures "latency"'],
    ['a profile without a target', 'targetProfile: p.yaml\n', ':1: targetProfile: goes with target'],
    ['a tolerance without a baseline', 'baselineTolerance: 20%\n', ':1: baselineTolerance: goes with baseline'],
    ['a baseline that is not there', 'baseline: nowhere/summary.json\n', ':1: baseline: no such file or directory: nowhere/summary.json'],
    [
      'a scenario path that is not there',
      'scenarios:\n  - mine.yaml\n  - theirs.yaml\n',
      ':3: scenarios: no such file or directory: theirs.yaml',
    ],
  ])('exits 2 on %s, naming file:line', async (_, text, message) => {
    const dir = project({ 'streamproof.yaml': text, 'mine.yaml': TINY_SCENARIO });
    const file = join(dir, 'streamproof.yaml');
    const r = await runCli(['run', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}${message}`);
  });

  it('--config naming a missing file exits 2', async () => {
    const r = await runCli(['run', '--config', join(tmpdir(), 'streamproof-nowhere.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('streamproof-nowhere.yaml: no such file');
  });
});

describe('what the config selects', () => {
  const defaults = { folder: join(tmpdir(), 'streamproof-no-such-folder'), suite: 'conformance' };

  it('its suites and scenarios, when no paths or --suite are given', () => {
    const mine = join(REPO_ROOT, 'scenarios', 'straico.yaml');
    const s = selectScenarios({ paths: [], suites: [] }, { suites: ['fuzz'], scenarios: [mine], thresholds: {} }, defaults);
    expect(s.files).toEqual([mine, ...suiteFiles(['fuzz'])]);
  });

  it('flags win: --suite replaces them', () => {
    const s = selectScenarios({ paths: [], suites: ['faults'] }, { suites: ['fuzz'], thresholds: {} }, defaults);
    expect(s.files).toEqual(suiteFiles(['faults']));
  });
});

describe('config thresholds', () => {
  const benchCase = (name: string, value: number, checks: CaseResult['checks'] = []): CaseResult => ({
    name,
    status: checks.every((c) => c.ok) ? 'pass' : 'fail',
    durationMs: 1,
    checks,
    measurements: [{ name: 'added_ttft_p99_ms', value, unit: 'ms', threshold: '< 5', target: { op: '<', value: 5 }, ok: value < 5 }],
  });
  const summaryOf = (cases: CaseResult[]): RunSummary => ({
    version: 1,
    tool: { name: 'streamproof', version: '0' },
    runId: 'r',
    startedAt: '',
    durationMs: 1,
    target: 't',
    status: cases.every((c) => c.status === 'pass') ? 'pass' : 'fail',
    totals: { scenarios: 1, cases: cases.length, passed: cases.filter((c) => c.status === 'pass').length, failed: 0, skipped: 0 },
    scenarios: [{ name: 's', file: 'f', kind: 'load', status: 'pass', durationMs: 1, cases }],
  });
  const own = (ok: boolean) => [{ name: 'threshold:added_ttft_p99_ms', ok, message: 'scenario threshold' }];
  const parity: CaseResult = { name: 'openai/text', status: 'pass', durationMs: 1, checks: [{ name: 'golden', ok: true }] };

  it("replace the scenario's threshold of that name: a looser one passes a case it failed", () => {
    const { summary, line } = applyConfigThresholds(
      summaryOf([benchCase('a', 12, own(false)), parity]),
      { added_ttft_p99_ms: '< 20' },
      'streamproof.yaml',
    );
    const [gated, untouched] = summary.scenarios[0]!.cases;
    expect(gated!.status).toBe('pass');
    expect(gated!.checks).toEqual([
      { name: 'threshold:added_ttft_p99_ms', ok: true, message: 'added_ttft_p99_ms = 12 ms (target < 20) [streamproof.yaml]' },
    ]);
    expect(gated!.measurements![0]).toMatchObject({ threshold: '< 20', ok: true });
    expect(untouched).toBe(parity);
    expect(summary.status).toBe('pass');
    expect(summary.totals).toMatchObject({ passed: 2, failed: 0 });
    expect(line).toBe('streamproof.yaml thresholds: 1 checked, 0 missed');
  });

  it('and a stricter one fails a case that passed', () => {
    const { summary, line } = applyConfigThresholds(summaryOf([benchCase('a', 3, own(true))]), { added_ttft_p99_ms: '< 2' }, 'c.yaml');
    expect(summary.status).toBe('fail');
    expect(summary.totals).toMatchObject({ passed: 0, failed: 1 });
    expect(summary.scenarios[0]!.cases[0]!.checks[0]!.message).toBe('added_ttft_p99_ms = 3 ms, target < 2 [c.yaml]');
    expect(line).toBe('c.yaml thresholds: 1 checked, 1 missed');
  });

  it('say so when no case measured them', () => {
    const input = summaryOf([parity]);
    const { summary, line } = applyConfigThresholds(input, { errors: '== 0' }, 'streamproof.yaml');
    expect(summary.scenarios[0]!.cases).toEqual(input.scenarios[0]!.cases);
    expect(line).toBe('streamproof.yaml thresholds: no case in this run measures errors');
  });
});

describe('streamproof run with streamproof.yaml in the working directory', () => {
  let gateway: RunningGateway;
  let replayPort: number;

  beforeAll(async () => {
    replayPort = await freePort();
    const replay = { baseUrl: (slot: string) => `http://127.0.0.1:${replayPort}/p/${slot}` } as ReplayUpstream;
    gateway = await startGateway(harnessGatewayConfig(replay, 'normalize'));
  });
  afterAll(() => gateway.close());

  it('takes the target, profile, replay port, scenarios and report dir from it', { timeout: 60_000 }, async () => {
    const dir = project({
      'streamproof.yaml': `target: ${gateway.url}\ntargetProfile: gw.yaml\nreplayPort: ${replayPort}\nscenarios: [tiny.yaml]\nreportDir: out\n`,
      'gw.yaml': 'name: reference-by-url\nproviders:\n  "*": { model: "{provider}/{model}" }\n',
      'tiny.yaml': TINY_SCENARIO,
    });
    const r = await cliIn(dir, ['run']);
    expect(r.stdout).toMatch(/^config: streamproof\.yaml$/m);
    expect(r.stdout).toContain(`openai             http://127.0.0.1:${replayPort}/p/openai`);
    expect(r.stdout).toMatch(/PASS\s+openai\/text-usage \[normalize\]/);
    expect(r.stdout).toContain('reports: out');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('a flag wins over its key', { timeout: 60_000 }, async () => {
    const dir = project({
      'streamproof.yaml': `target: http://127.0.0.1:1\nreplayPort: ${replayPort}\nscenarios: [tiny.yaml]\n`,
      'tiny.yaml': TINY_SCENARIO,
    });
    const r = await cliIn(dir, ['run', '--target', gateway.url, '--report-dir', 'elsewhere']);
    expect(r.stdout).toContain('reports: elsewhere');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

/** The real CLI in another working directory, as CI runs it. */
function cliIn(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin', 'streamproof.js'), ...args], { cwd }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
