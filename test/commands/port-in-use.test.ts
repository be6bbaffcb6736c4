// A port someone else holds is bad input (exit 2, one line naming the port), for every command
// that listens: run --replay-port, replay --port and gateway --port.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

let held: Server;
let port: number;

beforeAll(async () => {
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  port = (held.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => held.close(() => resolve())));

describe('a port in use', () => {
  it('run --replay-port', async () => {
    const r = await runCli(['run', join(REPO_ROOT, 'scenarios', 'anthropic.yaml'), '--replay-port', String(port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `streamproof run: 127.0.0.1:${port} is already in use, so the replay upstream cannot listen there: pick another port, or 0 for any free one\n`,
    );
  });

  it('replay --port', async () => {
    const r = await runCli(['replay', join(REPO_ROOT, 'fixtures', 'openai', 'text-usage.yaml'), '--port', String(port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`127.0.0.1:${port} is already in use, so the replay upstream cannot listen there`);
  });

  it('gateway --port', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'streamproof-port-')), 'gateway.yaml');
    writeFileSync(config, 'routes:\n  - match: openai/*\n    provider: openai\n    apiKey: sk-test\n');
    const r = await runCli(['gateway', '--config', config, '--port', String(port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`127.0.0.1:${port} is already in use, so the gateway cannot listen there`);
  });
});
