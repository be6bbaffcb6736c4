// The command table. Each command lives in src/commands/ and returns its exit code (0 all held,
// 1 a check or target failed); bad input is thrown as a StreamproofError and mapped here, once,
// as is any other error (a fault in streamproof: exit 3, one line, the stack with --debug).
import { EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, StreamproofError, UsageError } from './base/errors.ts';
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
  doctor: {
    summary: 'probe a gateway (--target URL): which providers route to the replay upstream, what each answers, a suggested profile',
    load: () => import('./commands/doctor.ts'),
  },
  compare: {
    summary: 'compare two runs: every figure of two summary.json files side by side with its change',
    load: () => import('./commands/compare.ts'),
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

/** The global flag that shows an internal error's stack; accepted anywhere on the command line. */
const DEBUG_FLAG = '--debug';

/**
 * How a thrown value ends a command: bad input (a StreamproofError) is its own message and exit
 * code; anything else is a fault in streamproof, one line and exit 3, its stack only with --debug.
 */
export function reportError(err: unknown, command: string, options: { debug: boolean; usage?: string }): { code: number; text: string } {
  if (err instanceof StreamproofError)
    return {
      code: err.exitCode,
      text: `streamproof${command ? ` ${command}` : ''}: ${err.message}\n${err instanceof UsageError && options.usage ? `${options.usage}\n` : ''}`,
    };
  const e = err instanceof Error ? err : new Error(String(err));
  if (options.debug) return { code: EXIT_INTERNAL, text: `streamproof: internal error: ${e.stack ?? e.message}\n` };
  const message = e.message.replace(/\s*\n\s*/g, ' ').trim() || e.name;
  return { code: EXIT_INTERNAL, text: `streamproof: internal error: ${message} (run with ${DEBUG_FLAG} for the stack)\n` };
}

export async function main(argv: string[], io?: CliIo): Promise<number> {
  const debug = argv.includes(DEBUG_FLAG);
  const out = io ?? processIo();
  // The real process: a fault outside the command's own promise (a callback, a stray rejection)
  // ends the same way, not with Node's stack trace.
  if (!io) catchStrayErrors(out, debug);
  const [name, ...rest] = argv.filter((a) => a !== DEBUG_FLAG);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(`${usage()}\n`);
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  if (name === '--version') {
    out.stdout(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  const command = commands[name];
  if (!command) {
    out.stderr(`streamproof: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return EXIT_BAD_INPUT;
  }
  let module: CommandModule | undefined;
  try {
    module = await command.load();
    return await module.run(rest, out);
  } catch (err) {
    // The one place where errors become exit codes.
    const { code, text } = reportError(err, name, { debug, ...(module ? { usage: module.USAGE } : {}) });
    out.stderr(text);
    return code;
  }
}

function catchStrayErrors(io: CliIo, debug: boolean): void {
  const fail = (err: unknown) => {
    io.stderr(reportError(err, '', { debug }).text);
    process.exit(EXIT_INTERNAL);
  };
  process.once('uncaughtException', fail);
  process.once('unhandledRejection', fail);
}
