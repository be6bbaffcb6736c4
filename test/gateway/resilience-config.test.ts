// Start-up validation of the resilience settings: a bad gateway config names the file, the line
// and the problem, for the new fields as for the old.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/gateway/config.ts';
import { InputError } from '../../src/base/errors.ts';
import { runCli } from '../helpers/cli.ts';

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gw-resilience-')), 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

async function problem(text: string): Promise<string> {
  const file = write(text);
  try {
    await loadGatewayConfig(file, {});
  } catch (err) {
    if (err instanceof InputError) return err.message.replace(file, 'FILE');
    throw err;
  }
  throw new Error('expected an InputError');
}

const two =
  'routes:\n  - name: together\n    match: t/*\n    provider: together\n  - name: backendai\n    match: b/*\n    provider: backendai\n';

describe('gateway config: resilience', () => {
  it('accepts fallbacks, retries, breaker, timeouts and capacity', async () => {
    const file = write(
      'retry: {maxAttempts: 3}\nbreaker: {failureThreshold: 5, cooldownMs: 30000}\ntimeouts: {firstByteMs: 60000}\n' +
        two.replace(
          'provider: together\n',
          'provider: together\n    fallback: [backendai]\n    capacity: {maxConcurrent: 100, requestsPerSecond: 50}\n',
        ),
    );
    const config = await loadGatewayConfig(file, {});
    expect(config.routes[0]).toMatchObject({ name: 'together', fallback: ['backendai'], capacity: { maxConcurrent: 100 } });
    expect(config.retry).toEqual({ maxAttempts: 3 });
  });

  it('names the line of a fallback to an unknown route', async () => {
    expect(await problem(two.replace('provider: together\n', 'provider: together\n    fallback: [backend-ai]\n'))).toBe(
      'FILE:5: routes[0].fallback[0]: fallback "backend-ai" names no route (known: together, backendai)',
    );
  });

  it('names the line of a route falling back to itself, and of duplicate names', async () => {
    expect(await problem(two.replace('provider: together\n', 'provider: together\n    fallback: [together]\n'))).toBe(
      'FILE:5: routes[0].fallback[0]: a route cannot fall back to itself',
    );
    expect(await problem(two.replace('name: backendai', 'name: together'))).toBe(
      'FILE:5: routes[1].name: route name "together" is used twice (set a unique name)',
    );
  });

  it('names the line of a bad value in the new fields', async () => {
    expect(await problem(`retry: {maxAttempts: 0}\n${two}`)).toMatch(/^FILE:1: retry\.maxAttempts: /);
    expect(await problem(two.replace('provider: backendai\n', 'provider: backendai\n    timeouts: {idleMs: -1}\n'))).toMatch(
      /^FILE:8: routes\[1\]\.timeouts\.idleMs: /,
    );
    expect(await problem(two.replace('provider: backendai\n', 'provider: backendai\n    breaker: {threshold: 3}\n'))).toMatch(
      /^FILE:8: routes\[1\]\.breaker: .*threshold/,
    );
  });

  it('`streamproof gateway` exits 2 with the file and line', async () => {
    const file = write(two.replace('provider: together\n', 'provider: together\n    fallback: [nope]\n'));
    const r = await runCli(['gateway', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:5: routes[0].fallback[0]: fallback "nope" names no route`);
  });
});
