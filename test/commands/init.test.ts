// `streamproof init`: the three starter files parse and say what they should (the config validates
// against its schema, the profile loads, the workflow is YAML with the expected steps), and
// existing files are never overwritten without --force.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../src/base/version.ts';
import { PROFILE_FILE, WORKFLOW_FILE } from '../../src/commands/init.ts';
import { CONFIG_FILE, loadProjectConfig } from '../../src/commands/project-config.ts';
import { providerNames } from '../../src/providers/index.ts';
import { loadTargetProfile } from '../../src/target/profile.ts';
import { runCli } from '../helpers/cli.ts';

const FILES = [CONFIG_FILE, PROFILE_FILE, WORKFLOW_FILE];

function emptyRepo(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-init-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

function workflowSteps(dir: string): Step[] {
  const workflow = parse(readFileSync(join(dir, WORKFLOW_FILE), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
  };
  expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
  expect(Object.keys(workflow.jobs)).toEqual(['streamproof']);
  expect(workflow.jobs['streamproof']!['runs-on']).toBe('ubuntu-latest');
  return workflow.jobs['streamproof']!.steps;
}

describe('streamproof init', () => {
  it('writes a config that validates, a profile that loads and a workflow', async () => {
    const dir = emptyRepo({ 'package.json': '{"devDependencies":{"streamproof":"^0.1.0"}}', 'package-lock.json': '{}' });
    const r = await runCli(['init', '--dir', dir, '--target', 'http://127.0.0.1:8080/', '--replay-port', '9555']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of FILES) expect(r.stdout).toContain(`wrote ${join(dir, f)}`);
    expect(r.stdout).not.toContain('npm install --save-dev streamproof');

    const loaded = loadProjectConfig(join(dir, CONFIG_FILE));
    expect(loaded?.config).toEqual({
      target: 'http://127.0.0.1:8080',
      targetProfile: join(dir, PROFILE_FILE),
      replayPort: 9555,
      suites: ['conformance'],
      thresholds: {},
    });

    const profile = loadTargetProfile(join(dir, PROFILE_FILE));
    expect(profile).toMatchObject({
      name: 'my-gateway',
      chatPath: '/v1/chat/completions',
      golden: 'normalize',
      upstream: 'config',
      level: 'semantic',
    });
    expect(profile.masks).toEqual([]);
    expect(profile.providers).toEqual({ '*': { model: '{provider}/{model}', headers: {} } });
    // The comments name every provider a profile may address.
    const text = readFileSync(join(dir, PROFILE_FILE), 'utf8').replaceAll(/\n#\s+/g, ' ');
    for (const p of providerNames()) expect(text).toContain(p);

    const steps = workflowSteps(dir);
    expect(steps.map((s) => s.name ?? s.uses)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'Install',
      'Start the gateway',
      'streamproof',
      'Job summary',
      'Upload the reports',
    ]);
    expect(steps[1]!.with).toEqual({ 'node-version': 20, cache: 'npm' });
    expect(steps[2]!.run).toMatch(/^npm ci\b/);
    expect(steps[3]!.run).toContain('curl -s -o /dev/null http://127.0.0.1:8080 ');
    expect(steps[4]!.run).toBe('npx streamproof run --report-dir reports/streamproof');
    expect(steps[5]).toMatchObject({ if: 'always()' });
    expect(steps[5]!.run).toContain('cat reports/streamproof/summary.md >> "$GITHUB_STEP_SUMMARY"');
    expect(steps[6]).toMatchObject({ if: 'always()', uses: 'actions/upload-artifact@v4' });
    expect(String(steps[6]!.with?.['path']).split('\n')).toContain('reports/streamproof');
  });

  it('outside an npm project the workflow runs this version through npx', async () => {
    const dir = emptyRepo();
    const r = await runCli(['init', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const steps = workflowSteps(dir);
    expect(steps.map((s) => s.name)).not.toContain('Install');
    expect(steps[0]!.uses).toBe('actions/checkout@v4');
    expect(steps[1]!.with).toEqual({ 'node-version': 20 });
    expect(steps.find((s) => s.name === 'streamproof')?.run).toBe(
      `npx --yes streamproof@${TOOL_VERSION} run --report-dir reports/streamproof`,
    );
    expect(loadProjectConfig(join(dir, CONFIG_FILE))?.config).toMatchObject({ target: 'http://127.0.0.1:4000', replayPort: 9400 });
  });

  it('in an npm project without streamproof, says to add it', async () => {
    const dir = emptyRepo({ 'package.json': '{"devDependencies":{"vitest":"4"}}' });
    const r = await runCli(['init', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('npm install --save-dev streamproof');
    expect(workflowSteps(dir).find((s) => s.name === 'Install')?.run).toMatch(/^npm install\b/);
  });

  it('writes nothing when a file exists, and --force overwrites', async () => {
    const dir = emptyRepo({ [CONFIG_FILE]: 'target: http://mine:1\n' });
    const r = await runCli(['init', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${CONFIG_FILE} already exists; nothing written (--force overwrites)`);
    expect(readFileSync(join(dir, CONFIG_FILE), 'utf8')).toBe('target: http://mine:1\n');
    expect(() => readFileSync(join(dir, PROFILE_FILE))).toThrow(/ENOENT/);

    const forced = await runCli(['init', '--dir', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`overwrote ${join(dir, CONFIG_FILE)}`);
    expect(forced.stdout).toContain(`wrote ${join(dir, PROFILE_FILE)}`);
    expect(readFileSync(join(dir, CONFIG_FILE), 'utf8')).toContain('target: http://127.0.0.1:4000');
  });

  it.each([
    [['--target', 'localhost:4000'], '--target must be an http(s) URL, got "localhost:4000"'],
    [['--replay-port', 'x'], '--replay-port must be a port number, got "x"'],
    [['--dir', join(tmpdir(), 'streamproof-no-such-dir')], 'no such directory'],
    [['extra'], 'init takes no arguments, got "extra"'],
  ])('exits 2 on %j', async (args, message) => {
    const r = await runCli(['init', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage: streamproof init');
  });
});
