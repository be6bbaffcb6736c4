// What a command reads and writes: standard input and two text sinks, so tests can run commands
// in-process and capture their output.
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Every command module exports its usage text and its run function. */
export interface CommandModule {
  USAGE: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
  };
}
