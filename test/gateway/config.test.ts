import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, resolveRoute } from '../../src/gateway/config.ts';
import { InputError } from '../../src/base/errors.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gw-config-')), 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('gateway config', () => {
  it('loads the shipped example with its environment', () => {
    const env = { OPENAI_API_KEY: 'a', AZURE_OPENAI_API_KEY: 'b', XAI_API_KEY: 'c', TOGETHER_API_KEY: 'd', HELICONE_API_KEY: 'e' };
    const config = loadGatewayConfig(join(REPO_ROOT, 'config/gateway.example.yaml'), env);
    expect(config.routes.find((r) => r.provider === 'together-helicone')?.headers['helicone-auth']).toBe('Bearer e');
    expect(resolveRoute(config.routes, 'openai/gpt-4o-mini')).toMatchObject({
      upstreamModel: 'gpt-4o-mini',
      route: { provider: 'openai' },
    });
    expect(resolveRoute(config.routes, 'mistral/x')).toBeNull();
  });

  it('names the line of an unknown provider', () => {
    const file = write('routes:\n  - match: a/*\n    provider: openai\n  - match: b/*\n    provider: nope\n');
    const err = errorOf(() => loadGatewayConfig(file, {}));
    expect(err.line).toBe(5);
    expect(err.message).toContain(`${file}:5: routes[1].provider: unknown provider`);
  });

  it('names the line of a missing environment variable', () => {
    const file = write('routes:\n  - match: a/*\n    provider: openai\n    apiKey: ${NOT_SET_ANYWHERE}\n');
    expect(errorOf(() => loadGatewayConfig(file, {})).message).toBe(`${file}:4: environment variable NOT_SET_ANYWHERE is not set`);
  });

  it('names the line of invalid YAML', () => {
    const file = write('routes:\n  - match: a/*\n    provider: [openai\n');
    expect(errorOf(() => loadGatewayConfig(file, {})).message).toMatch(new RegExp(`^${file}:\\d+: invalid YAML`));
  });
});
