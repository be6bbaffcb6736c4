import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cassetteJsonSchema } from '../../src/cassette/schema.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

describe('cassette JSON Schema', () => {
  it('is generated from the zod definition and up to date (npm run schema)', () => {
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/cassette.schema.json'), 'utf8')) as unknown;
    expect(shipped).toEqual(cassetteJsonSchema());
  });
});
