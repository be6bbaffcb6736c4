// An interrupted run keeps what it finished: the scenario in progress stops at its next case, the
// rest do not start, and the summary says the run is incomplete (and never a pass).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConsoleSummary, renderMarkdown } from '../../src/report/index.ts';
import { runScenarios } from '../../src/scenario/run.ts';
import { referenceTarget } from '../../src/target/target.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

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
