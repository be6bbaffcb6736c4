import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cassetteJsonSchema } from '../../src/cassette/schema.ts';
import { loadCassette } from '../../src/cassette/cassette.ts';
import { MAX_YAML_BYTES } from '../../src/base/yaml-input.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

describe('cassette JSON Schema', () => {
  it('is generated from the zod definition and up to date (npm run schema)', () => {
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/cassette.schema.json'), 'utf8')) as unknown;
    expect(shipped).toEqual(cassetteJsonSchema());
  });
});

describe('input size', () => {
  it('refuses a YAML file over the size limit before reading it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamproof-big-')), 'big.yaml');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, MAX_YAML_BYTES + 1); // sparse: no 64 MiB written to disk
    closeSync(fd);
    expect(() => loadCassette(file)).toThrow(
      `${file}: the file is ${MAX_YAML_BYTES + 1} bytes; YAML inputs are read up to ${MAX_YAML_BYTES} bytes`,
    );
  });
});
