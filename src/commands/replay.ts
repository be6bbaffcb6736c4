// `streamproof replay <fixtures…>`: a standalone replay upstream for engineers. Each cassette is
// served, for every request, at /p/<cassette name>/<its upstream path>.
import type { CliIo } from './io.ts';
import { loadCassette } from '../cassette/cassette.ts';
import { startReplayUpstream, type ReplayExchange } from '../replay/upstream.ts';
import { requestProblems } from '../checks/upstream-request.ts';
import { findYamlFiles } from '../base/find-yaml.ts';
import { parseFlags } from './args.ts';
import { UsageError } from '../base/errors.ts';

export const USAGE = `usage: streamproof replay <fixtures…> [--port N] [--speed X] [--quiet]

  fixtures     cassette files or directories
  --port N     port on 127.0.0.1 (default: any free port)
  --speed X    0 = no delays, 1 = as recorded (default), 2 = twice as fast
  --quiet      no line per request (by default each request is logged, with how it differs
               from the cassette's upstreamRequest)`;

export async function run(args: string[], io: CliIo, stop: Promise<unknown> = waitForSignal()): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: 'string', default: '0' },
    speed: { type: 'string', default: '1' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const port = Number(values.port);
  const speed = Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${values.port}`);
  if (!Number.isFinite(speed) || speed < 0) throw new UsageError(`--speed must be a number >= 0, got ${values.speed}`);
  if (positionals.length === 0) throw new UsageError('name at least one cassette or directory');
  const cassettes = findYamlFiles(positionals).map(loadCassette);
  // One line per exchange, and what in the request differs from the cassette (header names and
  // paths only: bodies and header values may hold secrets).
  const onExchange = (e: ReplayExchange) => {
    const problems = requestProblems(e);
    const verdict = problems.length === 0 ? 'request matches the cassette' : `request differs: ${problems.join('; ')}`;
    io.stdout(
      `${e.request.method} /p/${e.slot}${e.request.path} → ${e.cassette}: ${e.bytesSent} bytes${e.completed ? '' : ' (cut short)'}; ${verdict}\n`,
    );
  };
  const replay = await startReplayUpstream({ port, ...(values.quiet ? {} : { onExchange }) });
  for (const c of cassettes) {
    replay.bind(c.name, { cassette: c, chunks: c.response.chunks, speed });
    const q = new URLSearchParams(c.upstreamRequest.query).toString();
    io.stdout(
      `${c.name}\n  base URL: ${replay.baseUrl(c.name)}\n  request:  ${c.upstreamRequest.method} ${replay.baseUrl(c.name)}${c.upstreamRequest.path}${q ? `?${q}` : ''}\n`,
    );
  }
  io.stdout(`serving ${cassettes.length} cassette(s) on ${replay.url} at speed ${speed}; Ctrl-C to stop\n`);
  await stop;
  await replay.close();
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
