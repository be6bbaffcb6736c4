// Errors a user can act on. Each has a stable code (for scripts and tests) and the exit code it
// maps to; src/cli.ts maps them once. Anything else that is thrown is a bug in streamproof: one
// line and exit 3 (the stack with --debug).
//
// Exit codes: 0 every check and target held, 1 a check or target failed, 2 bad input (a flag,
// scenario, cassette, config or file that cannot be used), 3 a fault in streamproof itself.

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** Anything thrown that is not a StreamproofError: a bug in streamproof, not the user's input. */
export const EXIT_INTERNAL = 3;

export type ErrorCode = 'usage' | 'input' | 'port-in-use' | 'unreachable';

const EXIT_CODES: Record<ErrorCode, number> = {
  usage: EXIT_BAD_INPUT,
  input: EXIT_BAD_INPUT,
  'port-in-use': EXIT_BAD_INPUT,
  unreachable: EXIT_BAD_INPUT,
};

export abstract class StreamproofError extends Error {
  abstract readonly code: ErrorCode;
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** A flag or argument that cannot be used: the CLI prints the message and the command's usage. */
export class UsageError extends StreamproofError {
  readonly code = 'usage';
  override readonly name = 'UsageError';
}

/** A file that cannot be used: the message names the file, the line when known, and the problem. */
export class InputError extends StreamproofError {
  readonly code = 'input';
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${problem}`);
  }
}

/** A port someone else holds: bad input (a flag or config chose it), not a crash. */
export class PortInUseError extends StreamproofError {
  readonly code = 'port-in-use';
  override readonly name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
    /** What wanted the port, e.g. "the replay upstream". */
    readonly what: string,
  ) {
    super(`${host}:${port} is already in use, so ${what} cannot listen there: pick another port, or 0 for any free one`);
  }
}

/** A target nothing answers at: the run stops before its first case rather than failing each one slowly. */
export class UnreachableError extends StreamproofError {
  readonly code = 'unreachable';
  override readonly name = 'UnreachableError';
}
