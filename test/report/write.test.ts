import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { makeRunId } from '../../src/report/run-id.ts';
import { renderHtml } from '../../src/report/html/index.ts';
import { runEnvironment, writeReports } from '../../src/report/write.ts';
import { failingSummary } from './fixture.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('writeReports', () => {
  it('creates the directory and writes summary.json, summary.md, junit.xml and report.html', async () => {
    const base = await mkdtemp(join(tmpdir(), 'streamproof-report-'));
    dirs.push(base);
    const dir = join(base, 'nested', 'run');
    const summary = { ...failingSummary(), environment: runEnvironment('streamproof run https://user:secret@example.test/x') };
    expect(summary.environment.command).toBe('streamproof run https://***@example.test/x');

    const paths = await writeReports(summary, dir);
    expect(paths).toEqual([join(dir, 'summary.json'), join(dir, 'summary.md'), join(dir, 'junit.xml'), join(dir, 'report.html')]);
    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'report.html', 'summary.json', 'summary.md']);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe(renderHtml(summary));

    const json = await readFile(join(dir, 'summary.json'), 'utf8');
    expect(json).toBe(`${JSON.stringify(summary, null, 2)}\n`);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toBe(renderMarkdown(summary));
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toBe(renderJunit(summary));

    // Writing again into an existing directory overwrites.
    await expect(writeReports(summary, dir)).resolves.toHaveLength(4);
  });
});

describe('makeRunId', () => {
  const date = new Date('2026-11-21T05:31:07.123Z');

  it('is the UTC timestamp made filesystem-safe plus a random suffix', () => {
    const id = makeRunId(date);
    expect(id).toMatch(/^2026-11-21T05-31-07-123Z-[0-9a-f]{4}$/);
    expect(id).not.toMatch(/[:./\\ ]/);
  });

  it('sorts by time and differs between calls at the same instant', () => {
    const later = makeRunId(new Date('2026-11-21T05:31:07.124Z'));
    const earlier = makeRunId(date);
    expect([later, earlier].sort()).toEqual([earlier, later]);
    const ids = new Set(Array.from({ length: 50 }, () => makeRunId(date)));
    expect(ids.size).toBeGreaterThan(45);
  });

  it('rejects an invalid date', () => {
    expect(() => makeRunId(new Date(Number.NaN))).toThrow(RangeError);
  });
});
