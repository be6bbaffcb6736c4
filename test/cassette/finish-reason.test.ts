// A cassette whose expect.finishReason is not one of OpenAI's is bad input: exit 2 before any
// traffic, naming the file, the line, the value and the known set.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import { FINISH_REASONS } from '../../src/canonical/events.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

function cassetteWith(finishReason: string): { file: string; line: number } {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-finish-'));
  const lines = readFileSync(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'), 'utf8').split('\n');
  const at = lines.findIndex((l) => /^ {2}finishReason: stop$/.test(l));
  expect(at).toBeGreaterThan(0);
  lines[at] = `  finishReason: ${finishReason}`;
  const file = join(dir, 'text-usage.yaml');
  writeFileSync(file, lines.join('\n'));
  return { file, line: at + 1 };
}

describe('expect.finishReason', () => {
  it('every known value and null load', () => {
    for (const reason of [...FINISH_REASONS, 'null']) expect(() => loadCassette(cassetteWith(reason).file)).not.toThrow();
  });

  it('an unknown value exits 2 with file, line, the value and the known set', async () => {
    const { file, line } = cassetteWith('tool_call');
    const scenario = join(file, '..', 'one.yaml');
    writeFileSync(scenario, 'kind: parity\nname: one\nfixtures: [text-usage.yaml]\n');
    const r = await runCli(['run', scenario, '--report-dir', join(file, '..', 'reports')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `streamproof run: ${file}:${line}: expect.finishReason: "tool_call" is not an OpenAI finish reason (known: stop, length, tool_calls, content_filter, function_call, or null)\n`,
    );
  });
});
