// Flag parsing shared by the commands: node's parseArgs, with errors turned into exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs a command body, mapping a UsageError to a message and exit code 2. */
export async function withUsage(
  name: string,
  usageText: string,
  stderr: (t: string) => void,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      stderr(`streamproof ${name}: ${err.message}\n${usageText}\n`);
      return 2;
    }
    throw err;
  }
}
