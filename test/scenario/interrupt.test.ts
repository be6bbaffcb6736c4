// An interrupted run keeps what it finished: the scenario in progress stops at its next case, the
// rest do not start, and the summary says the run is incomplete (and never a pass).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConsoleSummary, renderMarkdown } from '../../src/report/index.ts';
import { runScenarios } from '../../src/scenario/run.ts';
import { referenceTarget } from '../../src/target/target.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

describe('an interrupted run', () => {
  it('stops at the next case and reports what finished as incomplete', async () => {
    const controller = new AbortController();
    const summary = await runScenarios({
      scenarioFiles: [join(REPO_ROOT, 'scenarios', 'anthropic.yaml'), join(REPO_ROOT, 'scenarios', 'gemini.yaml')],
      target: referenceTarget(),
      runId: 'interrupt',
      updateGoldens: false,
      reportDir: join(REPO_ROOT, 'reports', 'never-written'),
      onCase: () => controller.abort(),
      log: () => undefined,
      signal: controller.signal,
    });
    expect(summary.scenarios).toHaveLength(1);
    expect(summary.totals.cases).toBe(1);
    expect(summary.status).toBe('fail');
    expect(summary.incomplete).toBe('interrupted after 1 of 2 scenario(s); the cases below are those that finished');
    expect(renderConsoleSummary(summary, 'r')).toContain('INCOMPLETE  interrupted after 1 of 2 scenario(s)');
    expect(renderMarkdown(summary)).toContain('> **Incomplete run:** interrupted after 1 of 2');
  });
});

describe('streamproof run, interrupted and misdirected', () => {
  it('Ctrl-C writes the reports of what finished, marked incomplete, and exits 130', { timeout: 60_000 }, async () => {
    const reports = join(mkdtempSync(join(tmpdir(), 'streamproof-sigint-')), 'reports');
    const child = spawn(process.execPath, ['bin/streamproof.js', 'run', 'scenarios/openai-compatible.yaml', '--report-dir', reports], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    // Interrupt once the run is under way: the report directory is made just before the handler is
    // installed and the first case starts (polled, bounded in time).
    for (let waited = 0; !existsSync(reports) && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toContain('SIGINT: finishing the current case and writing the reports');
    expect(code).toBe(130);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('fail');
    expect(summary.incomplete).toMatch(/^interrupted after 1 of 1 scenario\(s\)/);
  });

  it('a --report-dir that is a file is refused before the run', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamproof-report-file-')), 'taken');
    writeFileSync(file, 'x');
    const r = await runCli(['run', join(REPO_ROOT, 'scenarios', 'anthropic.yaml'), '--report-dir', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--report-dir ${file}: exists and is not a directory`);
  });
});
