// Writes every report format for a run into one directory.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
