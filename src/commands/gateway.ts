// `streamproof gateway --config FILE`: the reference gateway as a standalone server.
import type { CliIo } from './io.ts';
import { loadGatewayConfig } from '../gateway/config.ts';
import { startGateway } from '../gateway/server.ts';
import { parseFlags } from './args.ts';
import { UsageError } from '../base/errors.ts';

export const USAGE = `usage: streamproof gateway --config FILE [--port N]

  --config FILE   gateway config (routes from model names to providers); \${ENV} is expanded
  --port N        override listen.port
  --log           a line per request on stderr (method, path, status, time; never headers or bodies)`;

export async function run(args: string[], io: CliIo, stop: Promise<unknown> = waitForSignal()): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: 'string' },
    port: { type: 'string' },
    log: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (!values.config) throw new UsageError('--config is required');
  const config = await loadGatewayConfig(values.config);
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${values.port}`);
    config.listen.port = port;
  }
  const gateway = await startGateway(config, values.log ? { log: (line) => io.stderr(`${line}\n`) } : {});
  io.stdout(`reference gateway on ${gateway.url} (${config.routes.length} routes); Ctrl-C to stop\n`);
  for (const r of config.routes) io.stdout(`  ${r.match.padEnd(28)} → ${r.provider} (${r.mode})\n`);
  await stop;
  await gateway.close();
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
