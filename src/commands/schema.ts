// `streamproof schema [--out FILE]`: the cassette JSON Schema, generated from the zod definition.
import { writeFileSync } from 'node:fs';
import type { CliIo } from './io.ts';
import { cassetteJsonSchema } from '../cassette/schema.ts';
import { parseFlags } from './args.ts';

export const USAGE = 'usage: streamproof schema [--out FILE]';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { out: { type: 'string' } });
  const text = `${JSON.stringify(cassetteJsonSchema(), null, 2)}\n`;
  if (values.out) writeFileSync(values.out, text);
  else io.stdout(text);
  return 0;
}
