// The command table. Each command lives in src/commands/ and returns its exit code (0 all held,
// 1 a check or target failed); bad input is thrown as a StreamproofError and mapped here, once.
import { EXIT_BAD_INPUT, EXIT_OK, StreamproofError, UsageError } from './base/errors.ts';
import { TOOL_VERSION } from './base/version.ts';
import { processIo, type CliIo, type CommandModule } from './commands/io.ts';

interface Command {
  summary: string;
  /** Commands load on demand: `streamproof inspect` need not load the load driver. */
  load(): Promise<CommandModule>;
}

const commands: Record<string, Command> = {
  run: {
    summary: 'run scenarios against the reference gateway or --target URL',
    load: () => import('./commands/run.ts'),
  },
  bench: {
    summary: 'run the benchmark scenarios (scenarios/bench) and record the figures',
    load: () => import('./commands/bench.ts'),
  },
  merge: {
    summary: 'merge the shards of a sharded run (--shard, --workers) and evaluate its thresholds',
    load: () => import('./commands/merge.ts'),
  },
  inspect: {
    summary: 'print the events of a raw stream as JSON lines',
    load: () => import('./commands/inspect.ts'),
  },
  fuzz: {
    summary: 'fuzz the gateway: re-chunked, re-framed, generated and malformed streams',
    load: () => import('./commands/fuzz.ts'),
  },
  record: {
    summary: 'record real provider exchanges into cassettes, through a proxy on 127.0.0.1',
    load: () => import('./commands/record.ts'),
  },
  import: {
    summary: 'make cassettes from HAR files, raw stream captures or JSON lines of chunks',
    load: () => import('./commands/import.ts'),
  },
  replay: {
    summary: 'serve cassettes from a standalone replay upstream',
    load: () => import('./commands/replay.ts'),
  },
  gateway: {
    summary: 'run the reference gateway from a config file',
    load: () => import('./commands/gateway.ts'),
  },
  schema: {
    summary: 'write the JSON Schema of cassettes (for editors)',
    load: () => import('./commands/schema.ts'),
  },
  init: {
    summary: 'write streamproof.yaml, a target profile and a GitHub Actions workflow for your gateway',
    load: () => import('./commands/init.ts'),
  },
  suites: {
    summary: 'list the built-in suites (conformance, faults, fuzz, bench) and their files',
    load: () => import('./commands/suites.ts'),
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    `streamproof ${TOOL_VERSION}: conformance and load testing for LLM streaming gateways`,
    '',
    'usage: streamproof <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'streamproof <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${usage()}\n`);
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  if (name === '--version') {
    io.stdout(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`streamproof: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return EXIT_BAD_INPUT;
  }
  const module = await command.load();
  try {
    return await module.run(rest, io);
  } catch (err) {
    // The one place where errors become exit codes.
    if (err instanceof StreamproofError) {
      io.stderr(`streamproof ${name}: ${err.message}\n${err instanceof UsageError ? `${module.USAGE}\n` : ''}`);
      return err.exitCode;
    }
    throw err;
  }
}
