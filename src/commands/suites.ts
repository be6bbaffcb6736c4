// `streamproof suites`: the built-in scenario suites, each with what it checks and its files, and
// where they are (to copy one and adapt it). `streamproof run --suite NAME` runs one.
import { relative } from 'node:path';
import type { CliIo } from './io.ts';
import { UsageError } from '../base/errors.ts';
import { SUITES, SUITES_DIR, suiteFileLabel } from '../scenario/suites.ts';
import { parseFlags } from './args.ts';

export const USAGE = `usage: streamproof suites

  lists the built-in suites: run one with \`streamproof run --suite NAME\` from any directory`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`suites takes no arguments, got ${JSON.stringify(positionals[0])}`);
  const width = Math.max(...SUITES.map((s) => s.name.length));
  const near = relative(process.cwd(), SUITES_DIR);
  const lines = [`built-in suites, in ${near && !near.startsWith('..') ? near : SUITES_DIR}:`];
  for (const suite of SUITES) {
    const files = suite.files();
    lines.push('', `${suite.name.padEnd(width)}  ${suite.description} (${files.length} file${files.length === 1 ? '' : 's'})`);
    for (const f of files) lines.push(`${' '.repeat(width)}    ${suiteFileLabel(f)}`);
  }
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
