// `streamproof run scenarios/faults` in-process: every shipped fault scenario passes against the
// reference gateway, and a fault case whose expectation the gateway does not meet fails the run.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

describe('streamproof run scenarios/faults', () => {
  it('passes every fault scenario', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'streamproof-faults-'));
    const r = await runCli(['run', join(REPO_ROOT, 'scenarios', 'faults'), '--report-dir', reports]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8'));
    const names = summary.scenarios.map((s: { name: string }) => s.name).sort();
    expect(names).toEqual([
      'faults-breaker',
      'faults-client',
      'faults-fallback',
      'faults-heartbeats',
      'faults-mid-stream',
      'faults-retry',
      'faults-timeouts',
    ]);
    // Every case checks the client bytes, the attempt count and that the upstream was let go.
    for (const scenario of summary.scenarios) {
      for (const c of scenario.cases) {
        const checks = c.checks.map((k: { name: string }) => k.name);
        expect(checks, c.name).toEqual(expect.arrayContaining(['status', 'golden', 'attempts', 'upstream-closed']));
      }
    }
  });

  it('fails a case whose attempt count the gateway does not meet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamproof-faults-bad-'));
    cpSync(join(REPO_ROOT, 'scenarios', 'faults'), join(dir, 'scenarios', 'faults'), { recursive: true });
    cpSync(join(REPO_ROOT, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
    const file = join(dir, 'scenarios', 'faults', 'retry.yaml');
    // The first case retries once after a 429; claim it must not.
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /expect: \{golden: cassette, gateway: \{retries: 1\}\}/,
        'expect: {golden: cassette, attempts: 1, gateway: {retries: 1}}',
      ),
    );
    const r = await runCli(['run', file, '--report-dir', join(dir, 'reports')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+429-retry-after \[normalize\]/);
    expect(r.stdout).toContain('attempts: openai: 2 upstream attempt(s), expected 1');
  });

  it('exits 2 naming the line of a fallback to an unknown route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamproof-faults-input-'));
    const file = join(dir, 'bad.yaml');
    const lines = readFileSync(join(REPO_ROOT, 'scenarios', 'faults', 'fallback.yaml'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('fallback: [backendai-chat]'));
    lines[at] = lines[at]!.replace('backendai-chat', 'backendai-nope');
    writeFileSync(file, lines.join('\n'));
    const r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${at + 1}: gateway.routes[0].fallback[0]: fallback "backendai-nope" names no route`);
  });
});
