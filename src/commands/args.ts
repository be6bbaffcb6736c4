// Flag parsing shared by the commands: node's parseArgs, with its errors turned into UsageError
// (exit code 2, with the command's usage; see src/base/errors.ts).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../base/errors.ts';

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
