// Writes every report format for a run into one directory.

import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../base/errors.ts';
import type { RunEnvironment, RunSummary } from '../checks/result.ts';
import { renderHtml } from './html/index.ts';
import { renderJunit } from './junit.ts';
import { machineInfo } from './machine.ts';
import { renderMarkdown } from './markdown.ts';

/**
 * Creates reportDir (and parents) and writes summary.json, summary.md, junit.xml and report.html
 * into it, overwriting earlier files of the same name. Returns the paths written, in that order.
 * All are rendered before anything is written, so a rendering error leaves no partial set. The
 * summary gains the run's environment (machine and `command`) unless it has one.
 */
export async function writeReports(input: RunSummary, reportDir: string, options: { command?: string } = {}): Promise<string[]> {
  const summary: RunSummary = input.environment ? input : { ...input, environment: runEnvironment(options.command) };
  const files: Array<[string, string]> = [
    ['summary.json', `${JSON.stringify(summary, null, 2)}\n`],
    ['summary.md', renderMarkdown(summary)],
    ['junit.xml', renderJunit(summary)],
    ['report.html', renderHtml(summary)],
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

/** This machine, and the command (user:password in a URL masked, so no credential reaches a report). */
export function runEnvironment(command = ['streamproof', ...process.argv.slice(2)].join(' ')): RunEnvironment {
  return { command: command.replace(/(\/\/)[^/@\s]+@/g, '$1***@'), ...machineInfo() };
}
