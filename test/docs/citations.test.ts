// Citations resolve inside the repository. Users of this package get the repo and nothing else,
// so no tracked file may cite a document that is not in it, and every
// `docs/provider-formats.md section …` citation must name a section (`## 4.`, `### 7b`) and
// lettered sub-item (`**(d)`) that the document has. Cassettes are read through their YAML, so
// folded lines do not hide a citation; inside a cassette's `source.format`, a bare `section N`
// or sub-section id (`7c`) refers to the same document unless another `.md` name precedes it.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC_PATH = 'docs/provider-formats.md';

/** Documents that live outside the repository. Built from parts so this file does not cite them. */
const ABSENT_DOCUMENTS = [
  'provider-wire-formats',
  'DESIGN',
  'gateway-failure-modes',
  'sse-parse-physics',
  'load-and-replay-tools',
  'sdk-clients',
  'style-exemplars',
].map((name) => [name, 'md'].join('.'));

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && !file.startsWith('node_modules/'))
    .filter((file) => existsSync(join(ROOT, file)) && lstatSync(join(ROOT, file)).isFile());
}

function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** Section ids (`4`, `7b`) mapped to their text, headings included. */
function docSections(doc: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = doc.split('\n');
  const heads: { id: string; level: number; line: number }[] = [];
  lines.forEach((line, i) => {
    const top = /^## (\d+)\. /.exec(line);
    const sub = /^### (\d+[a-z])\b/.exec(line);
    if (top) heads.push({ id: top[1]!, level: 2, line: i });
    else if (sub) heads.push({ id: sub[1]!, level: 3, line: i });
    else if (/^##+ /.test(line)) heads.push({ id: '', level: line.indexOf(' '), line: i });
  });
  heads.forEach((head, k) => {
    if (head.id === '') return;
    const next = heads.slice(k + 1).find((h) => h.level <= head.level);
    out.set(head.id, lines.slice(head.line, next ? next.line : lines.length).join('\n'));
  });
  return out;
}

interface Citation {
  file: string;
  section: string;
  letters: string[];
}

const SECTION_IDS = String.raw`(\d+[a-z]?(?:(?:,| and) \d+[a-z]?)*)`;
const LETTERS = String.raw`((?:(?:,| and)? \([a-z]\))*)`;

function lettersOf(text: string): string[] {
  return [...text.matchAll(/\(([a-z])\)/g)].map((m) => m[1]!);
}

function idsOf(text: string): string[] {
  return text.split(/,| and /).map((s) => s.trim());
}

/** Explicit `docs/provider-formats.md section N (x)…` citations in any text. */
function explicitCitations(file: string, text: string): Citation[] {
  const flat = text.replace(/\s*\n\s*(?:(?:\/\/|#|\*)\s*)?/g, ' ');
  const pattern = new RegExp(`${DOC_PATH.replace(/[./]/g, '\\$&')} sections? ${SECTION_IDS}${LETTERS}`, 'g');
  return [...flat.matchAll(pattern)].flatMap((m) => {
    const ids = idsOf(m[1]!);
    return ids.map((section, i) => ({ file, section, letters: i === ids.length - 1 ? lettersOf(m[2]!) : [] }));
  });
}

/**
 * Every reference to this document inside a cassette's `source.format` that cites it: explicit
 * ones, bare `section N (x)` ones (unless another document's name precedes them), and bare
 * sub-section ids such as `7b`.
 */
function cassetteCitations(file: string, format: string): Citation[] {
  if (!format.includes(DOC_PATH)) return [];
  const flat = format.replace(/\s+/g, ' ');
  const out: Citation[] = [];
  const pattern = new RegExp(String.raw`(\S+\.md )?\bsections? ${SECTION_IDS}${LETTERS}`, 'g');
  for (const m of flat.matchAll(pattern)) {
    if (m[1] !== undefined && m[1].trim() !== DOC_PATH) continue;
    const ids = idsOf(m[2]!);
    for (const [i, section] of ids.entries()) out.push({ file, section, letters: i === ids.length - 1 ? lettersOf(m[3]!) : [] });
  }
  for (const m of flat.matchAll(/\b((?:[1-9]|1[01])[a-e])\b/g)) out.push({ file, section: m[1]!, letters: [] });
  return out;
}

/** Citations naming a section or sub-item the document does not have, as readable lines. */
function unresolved(citations: readonly Citation[], sections: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  for (const c of citations) {
    const body = sections.get(c.section);
    if (body === undefined) {
      out.add(`${c.file}: section ${c.section} (no heading "## ${c.section}." or "### ${c.section}")`);
      continue;
    }
    for (const letter of c.letters) {
      if (!body.includes(`**(${letter})`)) out.add(`${c.file}: section ${c.section} (${letter}) (no "**(${letter})" in that section)`);
    }
  }
  return [...out].sort();
}

describe('citations', () => {
  const files = trackedFiles();
  const doc = read(DOC_PATH);
  const sections = docSections(doc);

  it('no tracked file cites a document that is not in the repository', () => {
    const offenders = files.flatMap((file) => {
      const lines = read(file).split('\n');
      return lines.flatMap((line, i) => ABSENT_DOCUMENTS.filter((name) => line.includes(name)).map((name) => `${file}:${i + 1}: ${name}`));
    });
    expect(offenders).toEqual([]);
  });

  it(`every section and sub-item cited from ${DOC_PATH} exists`, () => {
    const citations = files.flatMap((file) => {
      const text = read(file);
      const explicit = explicitCitations(file, text);
      if (!/^fixtures\/.*\.ya?ml$/.test(file)) return explicit;
      const format = (parse(text) as { source?: { format?: unknown } } | null)?.source?.format;
      return [...explicit, ...(typeof format === 'string' ? cassetteCitations(file, format) : [])];
    });
    expect(citations.length).toBeGreaterThan(60);
    expect(unresolved(citations, sections)).toEqual([]);
  });

  it('the document has sections 1 to 11, each linking official documentation, and names no internal path', () => {
    for (let n = 1; n <= 11; n++) {
      expect(sections.has(String(n)), `## ${n}.`).toBe(true);
      expect(sections.get(String(n)), `section ${n} links no documentation`).toMatch(/\]\(https:\/\//);
    }
    for (const id of ['6a', '6b', '7a', '7b', '7c', '7d', '7e']) expect(sections.has(id), `### ${id}`).toBe(true);
    expect(doc).not.toMatch(/\/work\/|shared\/reference|research note/i);
  });
});

describe('citation parsing', () => {
  const sections = docSections('## 4. A\n**(d) Errors.** x\n## 7. B\n### 7b. Framing\ntext\n## Checklist\n');

  it('finds sections, sub-sections and lettered sub-items', () => {
    expect([...sections.keys()]).toEqual(['4', '7', '7b']);
    const ok = explicitCitations('f', 'see docs/provider-formats.md section 4 (d) and docs/provider-formats.md\n// section 7b.');
    expect(unresolved(ok, sections)).toEqual([]);
  });

  it('reports a missing section, sub-section or letter', () => {
    const bad = [
      ...explicitCitations('a', 'docs/provider-formats.md section 4 (a) and (d)'),
      ...explicitCitations('b', 'docs/provider-formats.md sections 5 and 7c'),
    ];
    expect(unresolved(bad, sections)).toEqual([
      'a: section 4 (a) (no "**(a)" in that section)',
      'b: section 5 (no heading "## 5." or "### 5")',
      'b: section 7c (no heading "## 7c." or "### 7c")',
    ]);
  });

  it('reads bare references in a cassette format, but not those of another document', () => {
    const found = cassetteCitations(
      'c',
      'docs/provider-formats.md section 7: 7b framing, 7e chunks; other.md section 9 row 2; as section 4 (c).',
    );
    expect(found.map((c) => `${c.section}${c.letters.join('')}`)).toEqual(['7', '4c', '7b', '7e']);
  });
});
