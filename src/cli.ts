// The command table. Each command lives in src/commands/ and returns its exit code:
// 0 all held, 1 a check or target failed, 2 bad input.
import { InputError } from './base/yaml-input.ts';
import { TOOL_VERSION } from './base/version.ts';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

interface Command {
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const commands: Record<string, Command> = {
  run: {
    summary: 'run scenarios against the reference gateway or --target URL',
    run: async (args, io) => (await import('./commands/run.ts')).runRun(args, io),
  },
  bench: {
    summary: 'run the benchmark scenarios (scenarios/bench) and record the figures',
    run: async (args, io) => (await import('./commands/bench.ts')).runBench(args, io),
  },
  inspect: {
    summary: 'print the events of a raw stream as JSON lines',
    run: async (args, io) => (await import('./commands/inspect.ts')).runInspect(args, io),
  },
  fuzz: {
    summary: 'fuzz the gateway: re-chunked, re-framed, generated and malformed streams',
    run: async (args, io) => (await import('./commands/fuzz.ts')).runFuzzCommand(args, io),
  },
  replay: {
    summary: 'serve cassettes from a standalone replay upstream',
    run: async (args, io) => (await import('./commands/replay.ts')).runReplay(args, io),
  },
  gateway: {
    summary: 'run the reference gateway from a config file',
    run: async (args, io) => (await import('./commands/gateway.ts')).runGateway(args, io),
  },
  schema: {
    summary: 'write the JSON Schema of cassettes (for editors)',
    run: async (args, io) => (await import('./commands/schema.ts')).runSchema(args, io),
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

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout(`${TOOL_VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`streamproof: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr(`streamproof ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function defaultIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
  };
}
