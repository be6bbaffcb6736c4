// streamproof as a gateway team gets it: `npm pack`, the tarball installed into an empty project
// with `npm install --omit=dev` (no devDependency, so no TypeScript, tsx or vitest), then
// `npx streamproof run --suite conformance` from that project against the reference gateway,
// with a small load scenario of the project's own (the load child process must fork compiled).
// It packs the build in dist/ when it is current, else packs a copy of the checkout (whose
// `prepare` builds it), so it never tests a stale build. About 30-60 s: pack, install, one suite.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { globSync } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildState } from '../../bin/build-state.js';
import { suiteFiles } from '../../src/scenario/suites.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

interface Done {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Done> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The checkout without its build, its dependencies or its history, for `npm pack` to build. */
function copyOfCheckout(into: string): string {
  const skip = new Set(['node_modules', '.git', 'dist', 'reports']);
  cpSync(REPO_ROOT, into, { recursive: true, filter: (src) => !skip.has(relative(REPO_ROOT, src).split(/[\\/]/)[0]!) });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(into, 'node_modules'), 'junction');
  return into;
}

describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'streamproof-pack-'));
  const project = join(work, 'gateway-repo');
  let packed: { filename: string; files: { path: string }[]; size: number; entryCount: number };

  beforeAll(async () => {
    const current = buildState(REPO_ROOT) === 'built';
    const from = current ? REPO_ROOT : copyOfCheckout(join(work, 'checkout'));
    const pack = await sh(npm, ['pack', '--json', '--pack-destination', work, ...(current ? ['--ignore-scripts'] : [])], from);
    expect(pack.code, pack.stderr).toBe(0);
    // npm prints the prepare script's output before the JSON when it runs it.
    packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[\n'))) as (typeof packed)[])[0]!;

    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'gateway-repo', version: '1.0.0', private: true }));
    const install = await sh(
      npm,
      ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)],
      project,
    );
    expect(install.code, install.stderr).toBe(0);
  }, 240_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the compiled CLI, the suites and their fixtures, and no sources, tests or CI files', () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'bin/streamproof.js',
      'bin/build-state.js',
      'dist/cli.js',
      'dist/load/server-child.js',
      'fixtures/cassette.schema.json',
      'fixtures/openai/text-usage.yaml',
      'fixtures/openai/text-usage.normalize.sse',
      'scenarios/faults/goldens/retry/400-not-retried.normalize.json',
      'profiles/reference.yaml',
      'config/gateway.example.yaml',
      'profiles/portkey.yaml',
      'profiles/litellm.yaml',
      'docs/conformance-levels.md',
      'docs/gateways.md',
      'deploy/kubernetes/shards-job.yaml',
      ...suiteFiles(['conformance', 'faults', 'fuzz', 'bench']).map((f) => relative(REPO_ROOT, f)),
    ])
      expect(paths, needed).toContain(needed);
    const tops = [...new Set(paths.map((p) => p.split('/')[0]))].sort();
    expect(tops).toEqual(['README.md', 'bin', 'config', 'deploy', 'dist', 'docs', 'fixtures', 'package.json', 'profiles', 'scenarios']);
    expect(paths.filter((p) => p.endsWith('.ts'))).toEqual([]);
  });

  it('installs without devDependencies: no TypeScript tooling in the project', () => {
    const installed = join(project, 'node_modules');
    expect(existsSync(join(installed, 'streamproof', 'dist', 'cli.js'))).toBe(true);
    for (const dev of ['tsx', 'typescript', 'vitest', '@biomejs/biome', 'esbuild'])
      expect(existsSync(join(installed, dev)), dev).toBe(false);
  });

  it('loads every compiled module with only the dependencies installed', async () => {
    const dist = join(project, 'node_modules', 'streamproof', 'dist');
    // The load child's entry waits for IPC messages; the run below forks it.
    const modules = globSync('**/*.js', { cwd: dist, absolute: true }).filter((f) => !f.endsWith('/load/server-child.js'));
    expect(modules.length).toBeGreaterThan(150);
    const script = `for (const m of ${JSON.stringify(modules)}) await import(m);`;
    const r = await sh(process.execPath, ['--input-type=module', '-e', script], project);
    expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
  });

  it('npx streamproof runs the conformance suite (and a load scenario) from the project', { timeout: 180_000 }, async () => {
    expect(await sh(npx, ['--no', '--', 'streamproof', '--version'], project)).toMatchObject({ code: 0, stdout: `${version}\n` });
    writeFileSync(
      join(project, 'load.yaml'),
      `kind: load
name: small-load
fixtures: [node_modules/streamproof/fixtures/openai/text-usage.yaml]
load: { model: closed, concurrency: 4 }
duration: { seconds: 10, requests: 20 }
warmup: { requests: 4 }
driver: { maxEventLoopDelayP99Ms: 1000, maxEventLoopUtilization: 1 }
thresholds:
  errors: "== 0"
  mismatched_streams: "== 0"
`,
    );
    const r = await sh(
      npx,
      ['--no', '--', 'streamproof', 'run', '--suite', 'conformance', 'load.yaml', '--report-dir', 'reports/ci'],
      project,
    );
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const summary = JSON.parse(readFileSync(join(project, 'reports', 'ci', 'summary.json'), 'utf8')) as {
      status: string;
      totals: { cases: number; failed: number };
      scenarios: { name: string; file: string; kind: string }[];
    };
    expect(summary.status).toBe('pass');
    expect(summary.scenarios.map((s) => s.file)).toEqual([
      join(project, 'load.yaml'),
      ...suiteFiles(['conformance']).map((f) => join(project, 'node_modules', 'streamproof', relative(REPO_ROOT, f))),
    ]);
    expect(summary.scenarios[0]?.kind).toBe('load');
    expect(summary.totals.cases).toBeGreaterThan(50);
  });
});
