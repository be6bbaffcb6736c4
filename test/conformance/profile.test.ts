// A target profile is checked before anything runs: unknown keys, unknown placeholders and masks
// that are not JSON paths exit 2 naming the file, the line and the problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';
import { loadTargetProfile } from '../../src/target/profile.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamproof-profile-'));

/** Runs with the profile against a port nothing listens on: a bad profile must stop the run first (exit 2, not the reachability error). */
async function runWith(text: string) {
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  const r = await runCli([
    'run',
    join(REPO_ROOT, 'scenarios', 'openai-compatible.yaml'),
    '--target',
    'http://127.0.0.1:9',
    '--target-profile',
    file,
  ]);
  return { ...r, file };
}

describe('target profile validation', () => {
  it('an unknown key: exit 2 with the file and the line of the key', async () => {
    const r = await runWith('name: x\ngolden: normalize\nlevle: protocol\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`streamproof run: ${r.file}:3: Unrecognized key: "levle"\n`);
  });

  it('an unknown key inside a provider entry', async () => {
    const r = await runWith('name: x\nproviders:\n  openai:\n    model: "{model}"\n    header: {}\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`streamproof run: ${r.file}:5: providers.openai: Unrecognized key: "header"\n`);
  });

  it('an unknown placeholder in a model or header template', async () => {
    const model = await runWith('name: x\nproviders:\n  "*":\n    model: "{provider}/{modle}"\n');
    expect(model.code).toBe(2);
    expect(model.stderr).toBe(
      `streamproof run: ${model.file}:4: providers.*.model: unknown placeholder {modle} in "{provider}/{modle}"; the placeholders are {provider}, {model}, {upstream}\n`,
    );
    const header = await runWith('name: x\nupstream: header\nproviders:\n  "*":\n    headers:\n      x-base: "{base_url}"\n');
    expect(header.code).toBe(2);
    expect(header.stderr).toContain(`${header.file}:6: providers.*.headers.x-base: unknown placeholder {base_url}`);
  });

  it('a mask that is not a JSON path, named', async () => {
    const r = await runWith('name: x\nmasks:\n  - $.id\n  - choices.delta\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `streamproof run: ${r.file}:4: masks[1]: "choices.delta" is not a JSON path: a mask is a JSON path like $.id or $.choices[*].delta.x\n`,
    );
  });

  it('an unknown level', async () => {
    const r = await runWith('name: x\nlevel: strict\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${r.file}:2: level: .*"protocol"\\|"semantic"\\|"exact"`));
  });

  it('a valid profile loads, goldens resolved against its own directory', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'name: ok\nlevel: exact\ngoldens: ./my-goldens\nmasks: [$.id, "$.choices[*].delta.x", "$[0]"]\n');
    expect(loadTargetProfile(file)).toMatchObject({ level: 'exact', goldensDir: join(dir, 'my-goldens') });
  });

  it('--level must be a known level', async () => {
    const r = await runCli(['run', '--level', 'bytes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--level bytes: the levels are protocol, semantic, exact');
  });
});
