// `streamproof run` and unreviewed cassettes: a warning naming file and line, or with
// --require-reviewed a failure before any traffic.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { OPENAI_TEXT_CASSETTE, tempDir } from './helpers.ts';

describe('unreviewed cassettes in streamproof run', () => {
  const dir = tempDir('reviewed');
  mkdirSync(join(dir, 'fixtures'));
  const unreviewed = OPENAI_TEXT_CASSETTE.replace('expect:\n', 'expect:\n  reviewed: false\n');
  writeFileSync(join(dir, 'fixtures', 'unreviewed.yaml'), unreviewed);
  writeFileSync(join(dir, 'fixtures', 'reviewed.yaml'), OPENAI_TEXT_CASSETTE.replace('expect:\n', 'expect:\n  reviewed: true\n'));
  const line = unreviewed.split('\n').indexOf('  reviewed: false') + 1;
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(
    scenario,
    'kind: parity\nname: reviewed\nfixtures: [fixtures/*.yaml]\nmodes: [normalize]\nchunkings: {bytewise: false, random: 0}\n',
  );

  it('warns about each unreviewed cassette and still runs', async () => {
    const r = await runCli(['run', scenario, '--update-goldens', '--report-dir', join(dir, 'reports')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: ${join(dir, 'fixtures', 'unreviewed.yaml')}:${line}: expect is not reviewed (reviewed: false): check it against the stream, then set reviewed: true\n`,
    );
    expect(r.stderr).not.toContain('/reviewed.yaml:');
    expect(r.stdout).toContain('warning: 1 cassette(s) with an unreviewed expect (listed above); --require-reviewed fails on them');
  });

  it('fails before any traffic with --require-reviewed, and passes once the cassette is reviewed', async () => {
    const r = await runCli(['run', scenario, '--require-reviewed', '--report-dir', join(dir, 'reports-strict')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${join(dir, 'fixtures', 'unreviewed.yaml')}:${line}: expect is not reviewed (reviewed: false): check it against the stream, then set reviewed: true\n--require-reviewed: 1 cassette(s) with an unreviewed expect; nothing was run\n`,
    );
    expect(r.stdout).toBe('');
    writeFileSync(join(dir, 'fixtures', 'unreviewed.yaml'), unreviewed.replace('reviewed: false', 'reviewed: true'));
    const again = await runCli(['run', scenario, '--require-reviewed', '--report-dir', join(dir, 'reports-again')]);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stderr).toBe('');
  });
});
