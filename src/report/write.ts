// Writes every report format for a run into one directory.

import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../base/errors.ts';
import type { RunSummary } from '../checks/result.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

/**
 * Creates reportDir (and parents) and writes summary.json, summary.md and junit.xml into it,
 * overwriting earlier files of the same name. Returns the paths written, in that order. All
 * three are rendered before anything is written, so a rendering error leaves no partial set.
 */
export async function writeReports(summary: RunSummary, reportDir: string): Promise<string[]> {
  const files: Array<[string, string]> = [
    ['summary.json', `${JSON.stringify(summary, null, 2)}\n`],
    ['summary.md', renderMarkdown(summary)],
    ['junit.xml', renderJunit(summary)],
  ];
  await mkdir(reportDir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of files) {
    const path = join(reportDir, name);
    await writeFile(path, content, 'utf8');
    written.push(path);
  }
  return written;
}

/**
 * Makes sure the reports can be written before a run starts (a run's results are never lost to a
 * report directory that turns out to be a file or read-only at the end).
 */
export function prepareReportDir(reportDir: string): void {
  let isDir = false;
  try {
    isDir = statSync(reportDir).isDirectory();
    if (!isDir) throw new UsageError(`--report-dir ${reportDir}: exists and is not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  try {
    if (!isDir) mkdirSync(reportDir, { recursive: true });
    accessSync(reportDir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`--report-dir ${reportDir}: cannot write there (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
