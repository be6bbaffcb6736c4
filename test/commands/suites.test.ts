// The built-in suites by name: what each holds, `streamproof suites`, `run --suite`, and the
// default when no paths are given. The pack test (test/package/) runs one from an installed tarball.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globSync } from 'tinyglobby';
import { selectScenarios } from '../../src/commands/project-config.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { SUITES, SUITES_DIR, suiteFiles } from '../../src/scenario/suites.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

const kindsOf = (files: string[]) => [...new Set(files.map((f) => loadScenario(f).scenario.kind))];

describe('the built-in suites', () => {
  it('live in the package, not the working directory', () => {
    expect(SUITES_DIR).toBe(join(REPO_ROOT, 'scenarios'));
  });

  it('conformance is every parity scenario at the top of scenarios/, and nothing else', () => {
    const parity = globSync('*.yaml', { cwd: SUITES_DIR, absolute: true })
      .filter((f) => loadScenario(f).scenario.kind === 'parity')
      .sort();
    expect(parity.length).toBeGreaterThan(3);
    expect(suiteFiles(['conformance'])).toEqual(parity);
  });

  it('faults, fuzz and bench hold their folders, of their kinds', () => {
    expect(suiteFiles(['faults'])).toEqual(globSync('faults/*.yaml', { cwd: SUITES_DIR, absolute: true }).sort());
    expect(kindsOf(suiteFiles(['faults']))).toEqual(['fault']);
    expect(suiteFiles(['fuzz'])).toEqual([join(SUITES_DIR, 'fuzz.yaml')]);
    expect(kindsOf(suiteFiles(['fuzz']))).toEqual(['fuzz']);
    expect(suiteFiles(['bench'])).toEqual(globSync('bench/*.yaml', { cwd: SUITES_DIR, absolute: true }).sort());
    expect(kindsOf(suiteFiles(['bench'])).sort()).toEqual(['http-load', 'load', 'micro', 'resilience', 'soak']);
  });

  it('together cover every shipped scenario once', () => {
    const all = suiteFiles(SUITES.map((s) => s.name));
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(globSync('**/*.yaml', { cwd: SUITES_DIR, absolute: true }).sort());
  });

  it('an unknown name is a usage error naming the suites', async () => {
    const r = await runCli(['run', '--suite', 'conformnace']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown suite "conformnace" (the suites: conformance, faults, fuzz, bench)');
  });

  it('--update-goldens refuses a built-in suite (its goldens belong to the package)', async () => {
    const r = await runCli(['run', '--suite', 'conformance', '--update-goldens']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--update-goldens writes beside the scenarios it runs');
  });
});

describe('what run runs without paths', () => {
  const noConfig = null;

  it('./scenarios when the working directory has it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamproof-select-'));
    mkdirSync(join(dir, 'scenarios', 'bench'), { recursive: true });
    writeFileSync(join(dir, 'scenarios', 'mine.yaml'), 'kind: parity\n');
    writeFileSync(join(dir, 'scenarios', 'bench', 'long.yaml'), 'kind: load\n');
    const s = selectScenarios({ paths: [], suites: [] }, noConfig, { folder: join(dir, 'scenarios'), suite: 'conformance' });
    expect(s).toEqual({ files: [join(dir, 'scenarios', 'mine.yaml')], builtIn: false, note: null });
  });

  it('else the built-in conformance suite, and says so', () => {
    const missing = join(tmpdir(), 'streamproof-no-such-folder', 'scenarios');
    const s = selectScenarios({ paths: [], suites: [] }, noConfig, { folder: missing, suite: 'conformance' });
    expect(s.files).toEqual(suiteFiles(['conformance']));
    expect(s.builtIn).toBe(true);
    expect(s.note).toMatch(/running the built-in conformance suite/);
  });

  it('paths and --suite together, each file once', () => {
    const one = join(SUITES_DIR, 'anthropic.yaml');
    const s = selectScenarios({ paths: [one], suites: ['conformance', 'fuzz'] }, noConfig, { folder: 'scenarios', suite: 'conformance' });
    expect(s.files).toEqual([one, ...suiteFiles(['conformance']).filter((f) => f !== one), join(SUITES_DIR, 'fuzz.yaml')]);
  });
});

describe('streamproof suites', () => {
  it('lists each suite with a description and its files', async () => {
    const r = await runCli(['suites']);
    expect(r.code).toBe(0);
    for (const suite of SUITES) {
      const files = suite.files();
      expect(r.stdout).toContain(`${suite.name.padEnd(11)}  ${suite.description} (${files.length} file`);
    }
    expect(r.stdout).toMatch(/^ +faults\/retry\.yaml$/m);
    expect(r.stdout).toMatch(/^ +fuzz\.yaml$/m);
  });

  it('finds them from another working directory (the bin, as npx runs it)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'streamproof-elsewhere-'));
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(REPO_ROOT, 'bin', 'streamproof.js'), 'suites'], { cwd }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
      );
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const dir = /^built-in suites, in (.+):$/m.exec(stdout)?.[1];
    expect(dir).toBe(SUITES_DIR);
    const listed = [...stdout.matchAll(/^ {4,}(\S+\.yaml)$/gm)].map((m) => m[1]!);
    expect(listed.length).toBe(SUITES.flatMap((s) => s.files()).length);
    for (const f of listed) expect(existsSync(join(dir!, f)), f).toBe(true);
  });
});
