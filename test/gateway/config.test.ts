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

async function errorOf(fn: () => Promise<unknown>): Promise<InputError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('gateway config', () => {
  it('loads the shipped example with its environment', async () => {
    const env = { OPENAI_API_KEY: 'a', AZURE_OPENAI_API_KEY: 'b', XAI_API_KEY: 'c', TOGETHER_API_KEY: 'd', HELICONE_API_KEY: 'e' };
    const config = await loadGatewayConfig(join(REPO_ROOT, 'config/gateway.example.yaml'), env);
    expect(config.routes.find((r) => r.provider === 'together-helicone')?.headers['helicone-auth']).toBe('Bearer e');
    expect(resolveRoute(config.routes, 'openai/gpt-4o-mini')).toMatchObject({
      upstreamModel: 'gpt-4o-mini',
      route: { provider: 'openai' },
    });
    expect(resolveRoute(config.routes, 'mistral/x')).toBeNull();
  });

  it('names the line of an unknown provider', async () => {
    const file = write('routes:\n  - match: a/*\n    provider: openai\n  - match: b/*\n    provider: nope\n');
    const err = await errorOf(() => loadGatewayConfig(file, {}));
    expect(err.line).toBe(5);
    expect(err.message).toContain(`${file}:5: routes[1].provider: unknown provider`);
  });

  it('names the line of a missing environment variable', async () => {
    const file = write('routes:\n  - match: a/*\n    provider: openai\n    apiKey: ${NOT_SET_ANYWHERE}\n');
    expect((await errorOf(() => loadGatewayConfig(file, {}))).message).toBe(`${file}:4: environment variable NOT_SET_ANYWHERE is not set`);
  });

  it('checks routes after ${VAR} expansion: a base URL from the environment is fine, a bad one is named', async () => {
    const file = write('routes:\n  - match: a/*\n    provider: openai\n    baseUrl: ${BASE}\n');
    expect((await loadGatewayConfig(file, { BASE: 'http://127.0.0.1:9999/v1' })).routes[0]!.baseUrl).toBe('http://127.0.0.1:9999/v1');
    expect((await errorOf(() => loadGatewayConfig(file, { BASE: 'not a url' }))).message).toBe(
      `${file}:4: routes[0].baseUrl: "not a url" is not an http(s) URL`,
    );
  });

  it('refuses passthrough for a provider whose upstream does not stream OpenAI chunks', async () => {
    const file = write('routes:\n  - match: a/*\n    provider: anthropic\n    mode: passthrough\n');
    expect((await errorOf(() => loadGatewayConfig(file, {}))).message).toBe(
      `${file}:4: routes[0].mode: anthropic cannot run in passthrough (its upstream does not stream OpenAI chat chunks); use normalize`,
    );
  });

  it('names a route option its provider needs (Vertex without a project, Bedrock without a region)', async () => {
    const vertex = write('routes:\n  - match: v/*\n    provider: vertex-gemini\n    apiKey: t\n');
    expect((await errorOf(() => loadGatewayConfig(vertex, {}))).message).toBe(
      `${vertex}:2: routes[0] (vertex-gemini): vertex-gemini: the route needs a "project" option`,
    );
    const bedrock = write(
      'routes:\n  - match: b/*\n    provider: bedrock\n    baseUrl: http://127.0.0.1:1\n    options: {accessKeyId: AKIDEXAMPLE, secretAccessKey: x}\n',
    );
    expect((await errorOf(() => loadGatewayConfig(bedrock, {}))).message).toMatch(
      new RegExp(`^${bedrock}:5: routes\\[0\\] \\(bedrock\\): .*region`),
    );
  });

  it('names the line of invalid YAML', async () => {
    const file = write('routes:\n  - match: a/*\n    provider: [openai\n');
    expect((await errorOf(() => loadGatewayConfig(file, {}))).message).toMatch(new RegExp(`^${file}:\\d+: invalid YAML`));
  });
});
