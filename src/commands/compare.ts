// `streamproof compare A/summary.json B/summary.json [--out DIR]`: every figure both runs
// measured side by side with its change, printed as Markdown and written as compare.md and
// compare.html.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InputError, UsageError } from '../base/errors.ts';
import type { RunSummary } from '../checks/result.ts';
import { compareSummaries, renderCompareHtml, renderCompareMarkdown } from '../report/compare.ts';
import { makeRunId } from '../report/run-id.ts';
import { parseFlags } from './args.ts';
import type { CliIo } from './io.ts';

export const USAGE = `usage: streamproof compare A/summary.json B/summary.json [--out DIR]

  Prints every figure both runs measured (matched by scenario, case and measurement name) side by
  side with the change, absolute and in %, and the figures only one run has.
  --out DIR   where compare.md and compare.html go (default: reports/compare-<time>)`;

export function readSummary(file: string): RunSummary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, null, `cannot read a summary.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as RunSummary).scenarios))
    throw new InputError(file, null, 'not a streamproof summary.json (no scenarios)');
  return parsed as RunSummary;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`compare takes two summary.json files, got ${positionals.length}`);
  const [fileA, fileB] = positionals as [string, string];
  const comparison = compareSummaries(readSummary(fileA), readSummary(fileB), [shown(fileA), shown(fileB)]);
  const out = values.out ?? join('reports', `compare-${makeRunId(new Date())}`);
  const markdown = renderCompareMarkdown(comparison);
  const html = renderCompareHtml(comparison);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'compare.md'), markdown, 'utf8');
  await writeFile(join(out, 'compare.html'), html, 'utf8');
  io.stdout(`${markdown}\nwritten: ${shown(join(out, 'compare.md'))}, ${shown(join(out, 'compare.html'))}\n`);
  return 0;
}

function shown(file: string): string {
  const r = relative(process.cwd(), file);
  return r === '' || r.startsWith('..') ? file : r;
}
